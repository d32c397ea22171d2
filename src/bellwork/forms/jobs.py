"""Forms' jobs: `forms.open`, an asked day opening (its counters, reminders and the next day's
opening, and on the first day its card in the class groups; keyed by campaign and day);
`forms.hand_down`, a school's copy of a bureau's campaign (keyed by both); `forms.remind`,
telling those still missing (in the app or by DING); `forms.export`, a large export's file;
`forms.export_expire`, its file going a day later; `forms.retention`, every hour, health data
past the organisation's retention period; `forms.loose_files`, every hour, photos uploaded for a
form that no submission took within a day."""

from __future__ import annotations

from datetime import date

from bellwork.forms import export, files
from bellwork.forms.campaigns import OPEN, REMIND, open_day
from bellwork.forms.handdown import HAND_DOWN, make_copy
from bellwork.forms.reminders import remind_day
from bellwork.forms.retention import sweep
from bellwork.jobs.registry import JobContext, handler, recurring
from bellwork.jobs.schedules import Every

RETENTION = "forms.retention"


@handler(OPEN, max_attempts=20, backoff=2.0)
async def open_(job: JobContext) -> None:
    await open_day(
        job.db,
        int(job.payload["campaign"]),
        date.fromisoformat(job.payload["day"]),
        job.now,
        cards=bool(job.payload.get("cards")),
    )


@handler(HAND_DOWN, max_attempts=20, backoff=2.0, timeout=300)
async def hand_down(job: JobContext) -> None:
    await make_copy(job.db, int(job.payload["campaign"]), int(job.payload["school"]), job.now)


@handler(REMIND, max_attempts=5, backoff=2.0)
async def remind(job: JobContext) -> None:
    await remind_day(
        job.db,
        int(job.payload["campaign"]),
        date.fromisoformat(job.payload["day"]),
        job.now,
        job.payload.get("at"),
    )


@handler(export.EXPORT, max_attempts=3, backoff=5.0, timeout=600)
async def make_export(job: JobContext) -> None:
    try:
        await export.make(job.db, int(job.payload["export"]), job.runtime.files, job.now)
    except Exception as exc:
        if job.attempt >= 3:
            await export.fail(job.db, int(job.payload["export"]), f"{type(exc).__name__}: {exc}")
            return
        raise


@handler(export.EXPIRE, max_attempts=10, backoff=2.0)
async def expire_export(job: JobContext) -> None:
    await export.expire(job.db, int(job.payload["export"]), job.runtime.files)


@handler(RETENTION, max_attempts=3, backoff=60.0, timeout=600)
async def retention(job: JobContext) -> None:
    await sweep(job.db, job.now)


@handler(files.LOOSE, max_attempts=5)
async def loose_files(job: JobContext) -> None:
    await files.delete_loose(job.db, job.now)


recurring(RETENTION, RETENTION, Every(3600))
recurring(files.LOOSE, files.LOOSE, Every(3600))
