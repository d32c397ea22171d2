"""Filling a form (docs/forms.md, "Filling"): what waits for a person today, opening a form,
submitting it once per subject per day, changing it until the deadline.

- Who fills: the subject themself; for a student, the student or any of their guardians.
- A submission is checked against the version its filler opened (`version`), not the newest:
  a template edited meanwhile takes effect at the next opening.
- `client_id` is the filler's id for a submission: a retry after a dropped network stores it
  once and answers the first.
- The day's counters (`FormDayCount`, `FormAnswerCount`) of the subject's unit move in the same
  transaction: +1 submitted (late, abnormal), or the difference when a submission is changed.
  Each row belongs to one class, so no row is shared by a city's submissions."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from bellwork.auth.service import Actor
from bellwork.core.caches import kept_by_id
from bellwork.core.errors import Conflict, Forbidden, Invalid, NotFound, Problem
from bellwork.db.dialect import built, insert_for
from bellwork.forms import files, live
from bellwork.forms.campaigns import access_campaign, root_of, schedule_of, window_of
from bellwork.forms.cases import open_case
from bellwork.forms.fields import CHOICES, check_answers, label_text
from bellwork.forms.fillers import fill_target, newest_version, subjects_of
from bellwork.forms.models import (
    FormAnswerCount,
    FormCampaign,
    FormDayCount,
    FormSubmission,
    FormTarget,
    FormVersion,
)
from bellwork.forms.periods import CLOSED, LATE, OPEN, UPCOMING, asks_on, local_day, window
from bellwork.forms.rules import FormDefinition, Rule, abnormal
from bellwork.forms.schemas import FillOut, FormFileOut, SubmissionIn, SubmissionOut, TodoItem
from bellwork.forms.stats import under
from bellwork.org.access import Scope
from bellwork.org.models import GuardianLink, Person
from bellwork.org.settings import zone


def _today(campaign: FormCampaign, now: datetime) -> date:
    return local_day(zone(campaign.time_zone), now)


async def todo(db: AsyncSession, actor: Actor, now: datetime) -> list[TodoItem]:
    """The forms asked of the person (and of the students they fill for) today, open or late,
    with whether each is submitted — the list a guardian sees in the morning."""
    subjects = await subjects_of(db, actor.id)
    rows = (
        await db.execute(
            select(FormTarget.subject_id, FormCampaign, Person.name)
            .join(FormCampaign, FormCampaign.id == FormTarget.campaign_id)
            .join(Person, Person.id == FormTarget.subject_id)
            .where(FormTarget.subject_id.in_(subjects), FormCampaign.closed_at.is_(None))
            .order_by(FormCampaign.id.desc(), FormTarget.subject_id)
        )
    ).all()
    asked = []
    for subject_id, campaign, name in rows:
        day = _today(campaign, now)
        if not asks_on(schedule_of(campaign), day):
            continue
        win = window_of(campaign, day)
        if win.state(now) != CLOSED:
            asked.append((subject_id, campaign, name, day, win))
    # What is submitted already: one query for the whole list, not one per row (the workbench
    # tile counts this list on every visit).
    done: set[tuple[int, int, date]] = set()
    if asked:
        found = await db.execute(
            select(
                FormSubmission.campaign_id, FormSubmission.subject_id, FormSubmission.period
            ).where(
                FormSubmission.campaign_id.in_({c.id for _, c, _, _, _ in asked}),
                FormSubmission.subject_id.in_(subjects),
                FormSubmission.period.in_({d for _, _, _, d, _ in asked}),
            )
        )
        done = {(c, p, d) for c, p, d in found.all()}
    return [
        TodoItem(
            campaign_id=campaign.id,
            name=campaign.name,
            subject_id=subject_id,
            subject_name=name,
            period=day,
            state=win.state(now),
            opens_at=win.opens_at,
            deadline_at=win.deadline_at,
            closes_at=win.closes_at,
            submitted=(campaign.id, subject_id, day) in done,
        )
        for subject_id, campaign, name, day, win in asked
    ]


def _shape(
    s: FormSubmission, version: int, attached: list[FormFileOut] | None = None
) -> SubmissionOut:
    return SubmissionOut(
        id=s.id,
        campaign_id=s.campaign_id,
        subject_id=s.subject_id,
        filler_id=s.filler_id,
        period=s.period,
        version=version,
        answers=s.answers,
        abnormal=s.abnormal,
        reasons=[label_text(r) for r in s.reasons],
        late=s.late,
        submitted_at=s.submitted_at,
        updated_at=s.updated_at,
        files=attached or [],
    )


async def _shaped(db: AsyncSession, s: FormSubmission, version: int) -> SubmissionOut:
    """The submission with its photos and files."""
    return _shape(s, version, (await files.of_submissions(db, [s.id])).get(s.id))


async def open_form(
    db: AsyncSession, actor: Actor, campaign_id: int, subject_id: int, now: datetime
) -> FillOut:
    """The form to fill for a subject today: the newest version's questions, today's
    submission if there is one, and the last one before as a starting point."""
    target = await fill_target(db, actor, campaign_id, subject_id)
    campaign = await db.get(FormCampaign, target.campaign_id)
    assert campaign is not None
    day = _today(campaign, now)
    win = window_of(campaign, day)
    version = await newest_version(db, campaign)
    mine = (
        (
            await db.execute(
                select(FormSubmission)
                .where(
                    FormSubmission.campaign_id == campaign.id,
                    FormSubmission.subject_id == subject_id,
                )
                .order_by(FormSubmission.period.desc())
                .limit(2)
            )
        )
        .scalars()
        .all()
    )
    today = next((s for s in mine if s.period == day), None)
    before = next((s for s in mine if s.period < day), None)
    state = win.state(now) if asks_on(schedule_of(campaign), day) else CLOSED
    if today is not None:
        # The version it was filled on, so that a change keeps its questions.
        filled = await db.get(FormVersion, today.version_id)
        if filled is not None and filled.template_id == campaign.template_id:
            version = filled  # (not when the school switched templates since)
    return FillOut(
        campaign_id=campaign.id,
        name=campaign.name,
        subject_id=subject_id,
        period=day,
        state=state,
        opens_at=win.opens_at,
        deadline_at=win.deadline_at,
        closes_at=win.closes_at,
        time_zone=campaign.time_zone,
        template_id=version.template_id,
        version=version.number,
        definition=version.definition,
        submission=await _shaped(db, today, version.number) if today else None,
        previous=before.answers if before else None,
    )


async def _again(db: AsyncSession, actor: Actor, client_id: str) -> SubmissionOut | None:
    """The submission this filler already stored under `client_id` (a retry), if any."""
    row = (
        await db.execute(
            select(FormSubmission, FormVersion.number)
            .join(FormVersion, FormVersion.id == FormSubmission.version_id)
            .where(FormSubmission.filler_id == actor.id, FormSubmission.client_id == client_id)
        )
    ).one_or_none()
    return await _shaped(db, row[0], row[1]) if row else None


# Parsed definitions of versions already used (so never changed again), by version id.
_DEFINITIONS: dict[int, FormDefinition] = {}
kept_by_id(_DEFINITIONS.clear)


async def _definition(db: AsyncSession, version_id: int, used: bool) -> FormDefinition:
    """A version's questions and rules. A used version is immutable (a change makes a new
    one), so its parsed definition is kept: the hot path neither reads nor parses it again."""
    if used and (hit := _DEFINITIONS.get(version_id)) is not None:
        return hit
    raw: dict[str, Any] = (
        await db.execute(select(FormVersion.definition).where(FormVersion.id == version_id))
    ).scalar_one()
    definition = FormDefinition.model_validate(raw)
    if used:
        if len(_DEFINITIONS) >= 1024:
            _DEFINITIONS.clear()
        _DEFINITIONS[version_id] = definition
    return definition


def _insert_stmt(dialect: str) -> Any:
    # Turned away (nothing returned) by either unique key: today's submission of the subject
    # exists (this is a change), or this filler's client_id does (a retry).
    return insert_for(dialect, FormSubmission).on_conflict_do_nothing().returning(FormSubmission.id)


# What a submission is checked against, in one query: the subject's target in the campaign,
# the campaign, the version filled (its id and whether it was used before), and whether the
# filler is a guardian of the subject.
_CONTEXT = (
    select(FormTarget, FormCampaign, FormVersion.id, FormVersion.used, GuardianLink.id)
    .join(FormCampaign, FormCampaign.id == FormTarget.campaign_id)
    .outerjoin(
        FormVersion,
        (FormVersion.template_id == FormCampaign.template_id)
        & (FormVersion.number == bindparam("version")),
    )
    .outerjoin(
        GuardianLink,
        (GuardianLink.student_id == FormTarget.subject_id)
        & (GuardianLink.guardian_id == bindparam("actor")),
    )
    .where(
        FormTarget.campaign_id == bindparam("campaign"),
        FormTarget.subject_id == bindparam("subject"),
    )
    .options(defer(FormCampaign.audience))
)


async def submit(
    db: AsyncSession, actor: Actor, campaign_id: int, data: SubmissionIn, now: datetime
) -> tuple[SubmissionOut, bool]:
    """Stores (or, before the deadline, changes) today's submission for a subject; whether it
    is new. Field problems: 422 `form_answers_invalid` naming every field at once.

    The morning's thousands of first submissions take the short path: one query for what
    they are checked against, one INSERT that a second one (a retry, or another guardian's)
    turns away by the unique keys, the class's counters in two upserts. A retry of a stored
    submission answers the first, whatever has changed since (the deadline passed)."""
    try:
        return await _submit(db, actor, campaign_id, data, now)
    except Problem:
        again = await _again(db, actor, data.client_id)
        if again is None:
            raise
        return again, False


async def _submit(
    db: AsyncSession, actor: Actor, campaign_id: int, data: SubmissionIn, now: datetime
) -> tuple[SubmissionOut, bool]:
    params = {
        "campaign": campaign_id,
        "subject": data.subject_id,
        "version": data.version,
        "actor": actor.id,
    }
    row = (await db.execute(_CONTEXT, params)).first()
    if row is None:
        raise NotFound("form_campaign")
    target, campaign, version_id, used, guardian = row
    if data.subject_id != actor.id and guardian is None:
        raise Forbidden("form_not_guardian", errors=[{"field": "subject_id"}])
    if campaign.closed_at is not None:
        raise Conflict("form_campaign_closed")
    day = _today(campaign, now)
    schedule = schedule_of(campaign)
    if not asks_on(schedule, day):
        raise Conflict("form_not_today")
    win = window(schedule, zone(campaign.time_zone), day, campaign.late_allowed)
    state = win.state(now)
    if state == UPCOMING:
        raise Conflict("form_not_open_yet", at=schedule.opens)
    if state == CLOSED:
        raise Conflict("form_period_closed")
    if data.template_id is not None and data.template_id != campaign.template_id:
        # The school switched its copy to another template since the filler opened it.
        raise Conflict("form_template_changed")
    if version_id is None:
        raise Invalid("form_version_unknown", errors=[{"field": "version"}])
    definition = await _definition(db, version_id, used)
    clean, errors = check_answers(definition.fields, data.answers)
    if errors:
        raise Problem("form_answers_invalid", 422, errors=errors, count=len(errors))
    # Photos and files named: the filler's own unused uploads, or today's submission's.
    attached = await files.check(
        db, actor, campaign.id, data.subject_id, day, definition.fields, clean
    )
    matched = abnormal(definition.rules, clean)
    reasons = [r.label for r in matched]
    if not used:
        await db.execute(update(FormVersion).where(FormVersion.id == version_id).values(used=True))
    late = state == LATE
    values = {
        "campaign_id": campaign.id,
        "period": day,
        "subject_id": data.subject_id,
        "filler_id": actor.id,
        "unit_id": target.unit_id,
        "version_id": version_id,
        "client_id": data.client_id,
        "answers": clean,
        "abnormal": bool(matched),
        "reasons": reasons,
        "late": late,
        "submitted_at": now,
    }
    stored = await db.execute(built(db, "forms.submit", _insert_stmt), values)
    new_id = stored.scalar_one_or_none()
    if new_id is None:
        again = await _again(db, actor, data.client_id)
        if again is not None:
            return again, False
        if state != OPEN:
            raise Conflict("form_edit_closed")
        changed = await _change(db, campaign, target, values, definition, matched, now)
        await files.take(db, changed.id, attached, fresh=False)
        return await _shaped(db, changed, data.version), True
    await _bump_day(db, campaign, day, target, 1, int(late), int(bool(matched)))
    live.counted(db, campaign.id, day, target.unit_id, target.unit_path)
    await _bump_answers(db, campaign, day, target, Counter(_counted(definition, clean)))
    if attached:
        await files.take(db, new_id, attached, fresh=True)
    if matched:
        submission = await db.get(FormSubmission, new_id)
        assert submission is not None
        await open_case(db, campaign, submission, target.unit_id, target.unit_path, reasons)
    return (
        SubmissionOut(
            id=new_id,
            campaign_id=campaign.id,
            subject_id=data.subject_id,
            filler_id=actor.id,
            period=day,
            version=data.version,
            answers=clean,
            abnormal=bool(matched),
            reasons=[label_text(r) for r in reasons],
            late=late,
            submitted_at=now,
            updated_at=None,
            files=[files.out(f) for f in attached],
        ),
        True,
    )


async def _change(
    db: AsyncSession,
    campaign: FormCampaign,
    target: FormTarget,
    values: dict[str, Any],
    definition: FormDefinition,
    matched: list[Rule],
    now: datetime,
) -> FormSubmission:
    """Today's submission of the subject, changed before the deadline to `values` (checked
    against `definition`): its counters move by the difference; a case opens if it turned
    abnormal."""
    existing = (
        await db.execute(
            select(FormSubmission)
            .where(
                FormSubmission.campaign_id == campaign.id,
                FormSubmission.period == values["period"],
                FormSubmission.subject_id == values["subject_id"],
            )
            .with_for_update()
        )
    ).scalar_one()
    day = existing.period
    old_answers, old_abnormal = existing.answers, existing.abnormal
    old_definition = await _definition(db, existing.version_id, True)
    for key in ("answers", "version_id", "abnormal", "reasons", "filler_id", "client_id"):
        setattr(existing, key, values[key])
    existing.updated_at = now
    await _bump_day(db, campaign, day, target, 0, 0, int(bool(matched)) - int(old_abnormal))
    live.counted(db, campaign.id, day, target.unit_id, target.unit_path)
    moved = Counter(_counted(definition, existing.answers))
    moved.subtract(_counted(old_definition, old_answers))
    await _bump_answers(db, campaign, day, target, moved)
    if matched and not old_abnormal:
        await open_case(db, campaign, existing, target.unit_id, target.unit_path, values["reasons"])
    await db.flush()
    return existing


async def _bump_day(
    db: AsyncSession,
    campaign: FormCampaign,
    day: date,
    target: FormTarget,
    submitted: int,
    late: int,
    abnormal_: int,
) -> None:
    """Moves the subject's unit's counters of the day (a row per class: never a city-wide hot
    row). The row exists once the day opened; one made here (the day's job not run yet) has
    its `expected` filled in by that job."""
    if not (submitted or late or abnormal_):
        return
    params = {
        "campaign_id": campaign.id,
        "root_id": root_of(campaign),
        "period": day,
        "unit_id": target.unit_id,
        "unit_path": target.unit_path,
        "expected": 0,
        "submitted": submitted,
        "late": late,
        "abnormal": abnormal_,
    }
    await db.execute(built(db, "forms.bump_day", _bump_day_stmt), params)


def _bump_day_stmt(dialect: str) -> Any:
    stmt = insert_for(dialect, FormDayCount)
    table = FormDayCount.__table__
    return stmt.on_conflict_do_update(
        index_elements=["campaign_id", "period", "unit_id"],
        set_={
            "submitted": table.c.submitted + stmt.excluded.submitted,
            "late": table.c.late + stmt.excluded.late,
            "abnormal": table.c.abnormal + stmt.excluded.abnormal,
        },
    )


def _counted(definition: FormDefinition, answers: dict[str, Any]) -> list[tuple[str, str]]:
    """(question, answer) pairs the distributions count: every option picked, a temperature to
    0.1 °C, a rating."""
    out: list[tuple[str, str]] = []
    for f in definition.fields:
        value = answers.get(f.key)
        if value is None:
            continue
        if f.kind in CHOICES:
            out.extend((f.key, str(v)) for v in (value if isinstance(value, list) else [value]))
        elif f.kind == "temperature":
            out.append((f.key, f"{float(value):.1f}"))
        elif f.kind == "rating":
            out.append((f.key, str(value)))
    return [(key, value[:64]) for key, value in out]


async def _bump_answers(
    db: AsyncSession,
    campaign: FormCampaign,
    day: date,
    target: FormTarget,
    moved: Counter[tuple[str, str]],
) -> None:
    """Moves the class's per-answer counters by `moved` ((question, answer) -> change), in
    one statement; in a stable order, so two changes in one class never wait on each other
    in opposite orders."""
    rows = [
        {
            "campaign_id": campaign.id,
            "root_id": root_of(campaign),
            "period": day,
            "unit_id": target.unit_id,
            "unit_path": target.unit_path,
            "field": key,
            "value": value,
            "count": by,
        }
        for (key, value), by in sorted(moved.items())
        if by
    ]
    if rows:
        await db.execute(built(db, "forms.bump_answers", _bump_answers_stmt), rows)


def _bump_answers_stmt(dialect: str) -> Any:
    stmt = insert_for(dialect, FormAnswerCount)
    return stmt.on_conflict_do_update(
        index_elements=["campaign_id", "period", "unit_id", "field", "value"],
        set_={"count": FormAnswerCount.__table__.c.count + stmt.excluded.count},
    )


async def unfilled(
    db: AsyncSession,
    campaign: FormCampaign,
    day: date,
    unit_path: str | None = None,
    family: bool = False,
) -> tuple[int, list[tuple[int, int | None]]]:
    """Whom a campaign's day still waits for (below `unit_path` when given): how many subjects
    have no submission on `day`, and those subjects and, for students, their guardians, each
    with the subject's class — the reminders' and DING's `unfilled_of` audience. With
    `family`, over every campaign of its family (a bureau's asks nobody itself: its schools'
    copies do). No access check: the callers make theirs."""
    ids: Any = (
        select(FormCampaign.id).where(
            func.coalesce(FormCampaign.root_id, FormCampaign.id) == root_of(campaign)
        )
        if family
        else [campaign.id]
    )
    done = select(FormSubmission.subject_id).where(
        FormSubmission.campaign_id.in_(ids), FormSubmission.period == day
    )
    stmt = select(FormTarget.subject_id, FormTarget.unit_id).where(
        FormTarget.campaign_id.in_(ids), FormTarget.subject_id.not_in(done)
    )
    if unit_path is not None:
        stmt = stmt.where(under(FormTarget.unit_path, unit_path))
    missing = list(
        (await db.execute(stmt.order_by(FormTarget.unit_path, FormTarget.subject_id))).all()
    )
    out: list[tuple[int, int | None]] = [(pid, uid) for pid, uid in missing]
    if campaign.subject == "student":
        unit_of = dict(missing)
        ids = list(unit_of)
        for i in range(0, len(ids), 500):
            rows = await db.execute(
                select(GuardianLink.guardian_id, GuardianLink.student_id).where(
                    GuardianLink.student_id.in_(ids[i : i + 500])
                )
            )
            out.extend((g, unit_of[s]) for g, s in rows.all())
    return len(missing), out


async def missing_fillers(
    db: AsyncSession, scope: Scope, campaign_id: int, day: date | None, now: datetime
) -> list[tuple[int, int | None]]:
    """Whom "DING everyone who has still to fill it" reaches: each subject with no submission
    on `day` (today in the campaign's time zone by default) and, for students, their
    guardians, each with the subject's class. A campaign whose figures one may not see: 404."""
    campaign = await access_campaign(db, scope, campaign_id)
    _, out = await unfilled(db, campaign, day or _today(campaign, now), family=True)
    return out
