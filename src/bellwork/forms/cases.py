"""Abnormal answers (docs/forms.md, "Abnormal answers"): a submission that matches a rule
opens a case, and a DING goes at once to the subject's class teachers and to the responders
set at each unit above (a school's health officer, a district's and a city's contacts: unit
setting `form_responders`, a unit's own list, not inherited). The case is followed up — open →
contacted → resolved, each step with a note — and seen up the tree by those who may see names
there (stats.may_see_names). Every look at a case list is audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.audit import service as audit
from bellwork.auth.service import Actor
from bellwork.chat.shaping import person_refs
from bellwork.core.errors import Forbidden, Invalid, NotFound
from bellwork.core.i18n import DEFAULT, t
from bellwork.ding.service import send_system
from bellwork.forms.fields import label_text
from bellwork.forms.models import (
    CASE_STATES,
    OPEN,
    RESOLVED,
    FormCampaign,
    FormCase,
    FormCaseNote,
    FormSubmission,
)
from bellwork.forms.privacy import ABOVE_SCHOOL, NAMES_ABOVE_SCHOOL, may_see_names
from bellwork.forms.schemas import CaseNoteIn, CaseNoteOut, CaseOut, Responders, RespondersOut
from bellwork.forms.stats import under
from bellwork.org import audience
from bellwork.org.access import Scope, access_unit, require_manage_unit
from bellwork.org.models import Membership, Person, Role, Unit
from bellwork.org.settings import chain, unit_setting
from bellwork.org.units import unit_labels

RESPONDERS = "form_responders"
MAX_LISTED = 200


async def responders(db: AsyncSession, unit_id: int, unit_path: str) -> list[tuple[int, int]]:
    """Who is told of an abnormal answer in a class: its teachers, then the responders each
    unit above it names (nearest first), each once, with the unit that asks them."""
    out: dict[int, int] = {}
    teachers = await db.execute(
        select(Membership.person_id).where(
            Membership.unit_id == unit_id, Membership.role == Role.teacher.value
        )
    )
    for pid in teachers.scalars():
        out.setdefault(pid, unit_id)
    along = chain(unit_path)
    rows = await db.execute(select(Unit.id, Unit.settings).where(Unit.id.in_(along)))
    found: dict[int, Any] = {row[0]: row[1] for row in rows.all()}
    for uid in reversed(along):
        named = (found.get(uid) or {}).get(RESPONDERS)
        if isinstance(named, list):
            for pid in named:
                if isinstance(pid, int):
                    out.setdefault(pid, uid)
    if out:
        active = set(
            (
                await db.execute(
                    select(Person.id).where(
                        Person.id.in_(list(out)), Person.deactivated_at.is_(None)
                    )
                )
            ).scalars()
        )
        out = {p: u for p, u in out.items() if p in active}
    return list(out.items())


async def open_case(
    db: AsyncSession,
    campaign: FormCampaign,
    submission: FormSubmission,
    unit_id: int,
    unit_path: str,
    reasons: list[Any],
) -> FormCase:
    """The case of a submission that turned abnormal, and its DING to the class teachers and
    responders up the tree (once per case)."""
    case = FormCase(
        submission_id=submission.id,
        campaign_id=campaign.id,
        subject_id=submission.subject_id,
        unit_id=unit_id,
        unit_path=unit_path,
        reasons=reasons,
    )
    db.add(case)
    await db.flush()
    subject = await db.get(Person, submission.subject_id)
    where = (await unit_labels(db, [unit_id])).get(unit_id, "")
    # One text for all its readers: in the installation's language, not the filler's.
    body = t(
        "form_abnormal_ding",
        DEFAULT,
        name=subject.name if subject else "",
        unit=where,
        form=campaign.name,
        reasons="；".join(label_text(r, DEFAULT) for r in reasons),
    )
    await send_system(
        db,
        client_id=f"form-case-{case.id}",
        body=body,
        recipients=await responders(db, unit_id, unit_path),
    )
    return case


async def _shape(db: AsyncSession, cases: list[FormCase]) -> list[CaseOut]:
    if not cases:
        return []
    refs = await person_refs(db, {c.subject_id for c in cases})
    labels = await unit_labels(db, {c.unit_id for c in cases})
    names = dict(
        (
            await db.execute(
                select(FormCampaign.id, FormCampaign.name).where(
                    FormCampaign.id.in_({c.campaign_id for c in cases})
                )
            )
        ).all()
    )
    periods = dict(
        (
            await db.execute(
                select(FormSubmission.id, FormSubmission.period).where(
                    FormSubmission.id.in_({c.submission_id for c in cases})
                )
            )
        ).all()
    )
    return [
        CaseOut(
            id=c.id,
            campaign_id=c.campaign_id,
            campaign_name=names.get(c.campaign_id, ""),
            subject=refs[c.subject_id],
            unit_id=c.unit_id,
            unit_name=labels.get(c.unit_id, ""),
            period=periods[c.submission_id],
            state=c.state,
            reasons=[label_text(r) for r in c.reasons],
            created_at=c.created_at,
            updated_at=c.updated_at,
        )
        for c in cases
        if c.subject_id in refs
    ]


async def list_cases(
    db: AsyncSession,
    actor: Actor,
    scope: Scope,
    unit_id: int,
    state: str | None,
    campaign_id: int | None = None,
) -> list[CaseOut]:
    """The cases below a unit, open ones first then newest, for those who may see names
    there (403 `form_names_hidden` otherwise). Audited."""
    unit = await access_unit(db, unit_id)
    if not await may_see_names(db, scope, unit):
        raise Forbidden("form_names_hidden")
    stmt = select(FormCase).where(under(FormCase.unit_path, unit.path))
    if state is not None:
        if state not in CASE_STATES:
            raise Invalid("form_case_state", errors=[{"field": "state"}])
        stmt = stmt.where(FormCase.state == state)
    if campaign_id is not None:
        stmt = stmt.where(FormCase.campaign_id == campaign_id)
    cases = list((await db.execute(stmt.order_by(FormCase.id.desc()).limit(MAX_LISTED))).scalars())
    cases.sort(key=lambda c: (c.state == RESOLVED, -c.id))
    await audit.record(
        db,
        actor.id,
        "form.cases.view",
        "unit",
        unit.id,
        None,
        {"rows": len(cases)},
        unit_id=unit.id,
    )
    return await _shape(db, cases)


async def _access_case(db: AsyncSession, scope: Scope, case_id: int) -> FormCase:
    case = await db.get(FormCase, case_id)
    if case is None:
        raise NotFound("form_case")
    unit = await access_unit(db, case.unit_id)
    if not await may_see_names(db, scope, unit):
        raise NotFound("form_case")
    return case


async def notes(db: AsyncSession, scope: Scope, case_id: int) -> list[CaseNoteOut]:
    case = await _access_case(db, scope, case_id)
    rows = list(
        (
            await db.execute(
                select(FormCaseNote)
                .where(FormCaseNote.case_id == case.id)
                .order_by(FormCaseNote.id)
            )
        ).scalars()
    )
    refs = await person_refs(db, {n.author_id for n in rows if n.author_id})
    return [
        CaseNoteOut(
            id=n.id,
            author=refs.get(n.author_id) if n.author_id else None,
            state=n.state,
            body=n.body,
            created_at=n.created_at,
        )
        for n in rows
    ]


async def add_note(
    db: AsyncSession, actor: Actor, scope: Scope, case_id: int, data: CaseNoteIn, now: datetime
) -> CaseOut:
    """A note on a case, moving it on when `state` is given (open → contacted → resolved; a
    resolved case may be opened again)."""
    case = await _access_case(db, scope, case_id)
    if data.state is None and not data.body:
        raise Invalid("form_case_note_empty", errors=[{"field": "body"}])
    db.add(FormCaseNote(case_id=case.id, author_id=actor.id, state=data.state, body=data.body))
    if data.state is not None and data.state != case.state:
        case.state = data.state
    case.updated_at = now
    await db.flush()
    return (await _shape(db, [case]))[0]


async def get_responders(db: AsyncSession, scope: Scope, unit_id: int) -> RespondersOut:
    unit = await access_unit(db, unit_id)
    require_manage_unit(scope, unit)
    ids = [p for p in (unit.settings or {}).get(RESPONDERS, []) if isinstance(p, int)]
    refs = await person_refs(db, set(ids))
    return RespondersOut(unit_id=unit.id, people=[refs[p] for p in ids if p in refs])


async def set_responders(
    db: AsyncSession, actor: Actor, scope: Scope, unit_id: int, data: Responders
) -> RespondersOut:
    """Who the unit tells of abnormal answers below it (its heads and admins set it); people
    its heads may see. Audited."""
    unit = await access_unit(db, unit_id)
    require_manage_unit(scope, unit)
    ids = list(dict.fromkeys(data.people))
    if ids and len(await audience.visible(db, scope, ids)) != len(ids):
        raise Invalid("form_responders_outside", errors=[{"field": "people"}])
    before = [p for p in (unit.settings or {}).get(RESPONDERS, []) if isinstance(p, int)]
    unit.settings = {**(unit.settings or {}), RESPONDERS: ids}
    await db.flush()
    await audit.record(
        db,
        actor.id,
        "form.responders",
        "unit",
        unit.id,
        {"people": len(before)},
        {"people": len(ids)},
        unit_id=unit.id,
    )
    return await get_responders(db, scope, unit.id)


async def count_open(db: AsyncSession, scope: Scope) -> int:
    """How many cases are open (not yet contacted) where the person may see them: below the
    units they head (a bureau's only where its `form_names_above_school` is on) and in the
    classes they teach — the workbench badge. One count over the path index."""
    where: list[Any] = []
    if scope.admin:
        where.append(true())
    else:
        heads = set(scope.head_paths)
        top = [p for p in heads if not any(q != p and p.startswith(q) for q in heads)]
        if top:
            rows = await db.execute(select(Unit.id, Unit.path, Unit.kind).where(Unit.path.in_(top)))
            for uid, path, kind in rows.all():
                if kind not in ABOVE_SCHOOL or await unit_setting(db, uid, NAMES_ABOVE_SCHOOL):
                    where.append(under(FormCase.unit_path, path))
        if scope.teacher_units:
            where.append(FormCase.unit_id.in_(scope.teacher_units))
    if not where:
        return 0
    n = await db.scalar(
        select(func.count()).select_from(FormCase).where(FormCase.state == OPEN, or_(*where))
    )
    return int(n or 0)
