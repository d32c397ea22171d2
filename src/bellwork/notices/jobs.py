"""Notices' jobs: `notices.publish`, a scheduled notice going out at its minute (enqueued by
`service.publish` in the transaction that schedules it, keyed by the notice), `notices.cards`,
its cards into the unit groups it reached (keyed by the notice: posted once), and
`notices.loose_files`, which deletes uploads no notice took within a day."""

from __future__ import annotations

from bellwork.jobs.registry import JobContext, handler, recurring
from bellwork.jobs.schedules import Every
from bellwork.notices.cards import post_cards
from bellwork.notices.files import delete_loose
from bellwork.notices.service import CARDS, PUBLISH, publish_scheduled

LOOSE = "notices.loose_files"


@handler(PUBLISH, max_attempts=20, backoff=2.0)
async def publish(job: JobContext) -> None:
    await publish_scheduled(job.db, int(job.payload["notice"]), job.now)


@handler(CARDS, max_attempts=20, backoff=2.0)
async def cards(job: JobContext) -> None:
    await post_cards(job.db, int(job.payload["notice"]))


@handler(LOOSE, max_attempts=5)
async def loose_files(job: JobContext) -> None:
    await delete_loose(job.db, job.now)


recurring(LOOSE, LOOSE, Every(3600))
