"""Photos and files that answer a form's file questions (docs/forms.md, "Photos and files").

The bytes are in the runtime's store (files/, through the upload path DING and notices share:
files/uploads.py); the rows are forms' own (`FormFile`), and forms decide who reads them:
- Whoever may fill the form for a subject uploads first (`upload`), for one file question:
  images up to 20 MB, other files 20 MB, only images where the question says `images_only`
  (413 `file_too_large`, 415 `form_file_not_image` / `file_type_refused`). The file is the
  uploader's, loose, until a submission takes it.
- Submitting names them in the answer (`check`, then `take`): each must be the filler's own
  upload for that campaign, subject and question and still loose, or already that
  submission's (a change keeps its photos, whoever made it). A file a change drops is
  deleted (the row now, the bytes after the commit).
- Readable (`readable`): by the uploader; once submitted, by the subject and their guardians,
  and by whoever may see names of the subject's class for the campaign (privacy.py) — each
  such look in the audit log (`form.file.view`). Everyone else: 404, as for no such file.
- They go with their submission (retention.py), and an upload no submission took within a
  day goes with the `forms.loose_files` job (`delete_loose`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.audit import service as audit
from bellwork.auth.service import Actor
from bellwork.core.errors import Conflict, Invalid, NotFound, Problem
from bellwork.core.i18n import t
from bellwork.files import uploads
from bellwork.files.sniff import Sniffed
from bellwork.forms.fields import Upload, label_text
from bellwork.forms.fillers import fill_target, newest_version, subjects_of
from bellwork.forms.models import FormCampaign, FormFile, FormSubmission, FormVersion
from bellwork.forms.privacy import may_see_names
from bellwork.forms.rules import FormDefinition
from bellwork.forms.schemas import FormFileOut
from bellwork.forms.templates import may_design
from bellwork.org.access import Scope
from bellwork.org.models import Unit
from bellwork.runtime import runtime_of

MAX_FILE = 20 * 1024 * 1024
MAX_IMAGE = 20 * 1024 * 1024
# Uploads one person may have waiting for a submission at once (a form asks at most 9 a
# question): more is someone filling the store, not a form.
MAX_LOOSE = 50
LOOSE = "forms.loose_files"
TOO_LARGE = {"file_too_large", "image_too_large"}
WRONG_TYPE = {"file_type_refused", "file_type_mismatch"}


def url_of(file_id: int) -> str:
    return f"/api/v1/forms/files/{file_id}"


def out(f: FormFile) -> FormFileOut:
    return uploads.describe(f, FormFileOut, url_of(f.id), field=f.field)


async def _question(
    db: AsyncSession, campaign: FormCampaign, key: str, version: int | None
) -> Upload:
    """The file question `key` of the version the filler opened (the newest by default)."""
    if version is None:
        found: FormVersion | None = await newest_version(db, campaign)
    else:
        found = (
            await db.execute(
                select(FormVersion).where(
                    FormVersion.template_id == campaign.template_id,
                    FormVersion.number == version,
                )
            )
        ).scalar_one_or_none()
    if found is None:
        raise Invalid("form_version_unknown", errors=[{"field": "version"}])
    for f in FormDefinition.model_validate(found.definition).fields:
        if f.key == key and isinstance(f, Upload):
            return f
    raise Invalid("form_file_field_unknown", errors=[{"field": "field"}])


def _only_images(sniffed: Sniffed) -> None:
    if not sniffed.content_type.startswith("image/"):
        raise Problem("form_file_not_image", 415, errors=[{"field": "file"}])


async def upload(
    db: AsyncSession,
    actor: Actor,
    campaign_id: int,
    subject_id: int,
    key: str,
    version: int | None,
    name: str,
    claimed_type: str | None,
    data: bytes,
) -> FormFileOut:
    """Checks and stores a photo or file for question `key` of the form the person is filling
    for `subject_id` (404 for a campaign that does not ask about them, 403
    `form_not_guardian` for someone else's child). The type comes from the bytes."""
    target = await fill_target(db, actor, campaign_id, subject_id)
    campaign = await db.get(FormCampaign, target.campaign_id)
    assert campaign is not None
    if campaign.closed_at is not None:
        raise Conflict("form_campaign_closed")
    question = await _question(db, campaign, key, version)
    waiting = await db.scalar(
        select(func.count())
        .select_from(FormFile)
        .where(FormFile.owner_id == actor.id, FormFile.submission_id.is_(None))
    )
    if (waiting or 0) >= MAX_LOOSE:
        raise Conflict("form_file_uploads_waiting", max=MAX_LOOSE)
    store = runtime_of(db).files
    try:
        got = await uploads.receive(
            store,
            name,
            claimed_type,
            data,
            max_bytes=MAX_FILE,
            max_image=MAX_IMAGE,
            accept=_only_images if question.images_only else None,
        )
    except Invalid as exc:
        # The shared checks' codes, with the status HTTP has for them.
        status = 413 if exc.code in TOO_LARGE else 415 if exc.code in WRONG_TYPE else None
        if status is None:
            raise
        raise Problem(exc.code, status, errors=exc.errors, **exc.params) from exc
    row = FormFile(
        campaign_id=campaign.id,
        subject_id=subject_id,
        owner_id=actor.id,
        field=question.key,
        **got.columns(),
    )
    return out(await uploads.add(db, store, row))


def _named(fields: Sequence[Any], answers: dict[str, Any]) -> dict[str, tuple[Any, list[int]]]:
    """Each answered file question with the file ids its answer names."""
    return {
        f.key: (f, list(answers[f.key]))
        for f in fields
        if isinstance(f, Upload) and answers.get(f.key)
    }


async def check(
    db: AsyncSession,
    actor: Actor,
    campaign_id: int,
    subject_id: int,
    day: date,
    fields: Sequence[Any],
    answers: dict[str, Any],
) -> list[FormFile]:
    """The files the clean answers name, each the filler's own loose upload for this campaign,
    subject and question, or already the subject's submission of `day` (a change keeps its
    photos). Otherwise 422 `form_answers_invalid` naming each question
    (`form_file_unknown`), before anything is written. No query when no file is named."""
    named = _named(fields, answers)
    ids = {i for _, found in named.values() for i in found}
    if not ids:
        return []
    rows = {
        f.id: f for f in (await db.execute(select(FormFile).where(FormFile.id.in_(ids)))).scalars()
    }
    today = await db.scalar(
        select(FormSubmission.id).where(
            FormSubmission.campaign_id == campaign_id,
            FormSubmission.period == day,
            FormSubmission.subject_id == subject_id,
        )
    )
    errors: list[dict[str, Any]] = []
    taken: list[FormFile] = []
    for key, (question, found) in named.items():
        for fid in found:
            f = rows.get(fid)
            ok = (
                f is not None
                and f.campaign_id == campaign_id
                and f.subject_id == subject_id
                and f.field == key
                and (
                    (f.submission_id is None and f.owner_id == actor.id)
                    or (today is not None and f.submission_id == today)
                )
            )
            if not ok:
                label = label_text(question.label)
                errors.append(
                    {
                        "field": f"answers.{key}",
                        "message": t("form_file_unknown", label=label),
                        "type": "form_file_unknown",
                    }
                )
                break
            assert f is not None
            taken.append(f)
    if errors:
        raise Problem("form_answers_invalid", 422, errors=errors, count=len(errors))
    return taken


async def take(
    db: AsyncSession, submission_id: int, files: Sequence[FormFile], *, fresh: bool
) -> None:
    """Makes the checked files (`check`) the submission's; for a change (not `fresh`), deletes
    those it had that its answers no longer name (a photo replaced)."""
    keep = {f.id for f in files}
    for f in files:
        f.submission_id = submission_id
    if not fresh:
        had = (
            await db.execute(select(FormFile).where(FormFile.submission_id == submission_id))
        ).scalars()
        await uploads.drop(db, runtime_of(db).files, [f for f in had if f.id not in keep])
    await db.flush()


async def of_submissions(
    db: AsyncSession, submission_ids: Iterable[int]
) -> dict[int, list[FormFileOut]]:
    """The files of each submission (only those that have any), in upload order."""
    ids = sorted(set(submission_ids))
    found: dict[int, list[FormFileOut]] = {}
    for i in range(0, len(ids), 500):
        rows = (
            await db.execute(
                select(FormFile)
                .where(FormFile.submission_id.in_(ids[i : i + 500]))
                .order_by(FormFile.id)
            )
        ).scalars()
        for f in rows:
            assert f.submission_id is not None
            found.setdefault(f.submission_id, []).append(out(f))
    return found


async def names_of(db: AsyncSession, file_ids: Iterable[int]) -> dict[int, str]:
    """File names by id (the export's file columns)."""
    ids = list(set(file_ids))
    found: dict[int, str] = {}
    for i in range(0, len(ids), 500):
        rows = await db.execute(
            select(FormFile.id, FormFile.name).where(FormFile.id.in_(ids[i : i + 500]))
        )
        found.update({fid: name for fid, name in rows.all()})
    return found


def cell(names: dict[int, str]) -> Callable[[Any], str]:
    """The export's cell for a file question: each file's name and where to download it."""

    def shown(value: Any) -> str:
        ids = value if isinstance(value, list) else [value]
        return "\n".join(f"{names.get(i, str(i))} ({url_of(i)})" for i in ids)

    return shown


async def readable(db: AsyncSession, actor: Actor, scope: Scope, file_id: int) -> FormFile:
    """The file if `actor` may read it: the uploader; once submitted, the subject and their
    guardians, and those who may see names of the subject's class for the campaign — each
    such look audited (`form.file.view`). 404 alike otherwise."""
    f = await db.get(FormFile, file_id)
    if f is None:
        raise NotFound("file")
    if f.owner_id == actor.id:
        return f
    if f.submission_id is None:
        raise NotFound("file")
    if f.subject_id in await subjects_of(db, actor.id):
        return f
    submission = await db.get(FormSubmission, f.submission_id)
    unit = await db.get(Unit, submission.unit_id) if submission is not None else None
    if submission is None or unit is None:
        raise NotFound("file")
    if not may_design(scope, unit) or not await may_see_names(db, scope, unit):
        raise NotFound("file")
    await audit.record(
        db,
        actor.id,
        "form.file.view",
        "form_campaign",
        f.campaign_id,
        None,
        {
            "unit_id": unit.id,
            "period": submission.period.isoformat(),
            "subject_id": f.subject_id,
            "name": f.name,
        },
        unit_id=unit.id,
    )
    return f


async def drop_of(db: AsyncSession, submission_ids: Sequence[int]) -> int:
    """Deletes the files of submissions about to go (retention): the rows now, the bytes once
    the transaction commits. Returns how many."""
    if not submission_ids:
        return 0
    rows = (
        await db.execute(select(FormFile).where(FormFile.submission_id.in_(submission_ids)))
    ).scalars()
    gone = await uploads.drop(db, runtime_of(db).files, rows)
    await db.flush()
    return gone


async def delete_loose(db: AsyncSession, now: datetime, limit: int = 500) -> int:
    """The `forms.loose_files` job: deletes uploads that no submission took within a day (a
    filler who uploaded and never submitted). Returns how many."""
    return await uploads.delete_loose(
        db, runtime_of(db).files, FormFile, FormFile.submission_id, now, limit=limit
    )
