"""Writing, reading and listing reports (docs/reports.md, "Writing" and "The inbox").

A report is written on the version of the template its writer opened (`ReportIn.version`)
and checked with forms' own `check_answers`: every invalid answer is named at once (422
`form_answers_invalid`, `answers.<key>`). The version is marked used, so a later edit of the
template makes a new one and this report keeps what it was written on. It goes to the
writer's managers (`people.managers_of`) unless people are chosen, and to copies; each gets it
in their inbox, as a card in the direct chat with its author, and as `report.received`.

Who may read a report: its author, recipients and copies (`ReportReader` rows); anyone else
gets 404, as for a report that does not exist."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.service import Actor
from bellwork.chat.schemas import PersonRef
from bellwork.core.errors import Conflict, Invalid, NotFound, Problem
from bellwork.forms.fields import check_answers
from bellwork.forms.models import FormTemplate, FormVersion
from bellwork.forms.rules import FormDefinition
from bellwork.forms.templates import newest
from bellwork.org.access import Scope, access_person
from bellwork.org.models import Person, Unit
from bellwork.org.settings import unit_time_zone
from bellwork.reports import cards, live, periods
from bellwork.reports.models import AUTHOR, CC, TO, Report, ReportReader, ReportTemplate
from bellwork.reports.people import heads_above, managers_of, refs
from bellwork.reports.schemas import (
    ReportIn,
    ReportInboxOut,
    ReportItem,
    ReportOut,
    ReportReaderOut,
    ReportWriteOut,
)
from bellwork.reports.templates import access_template, may_write, shape, version_definition

MAX_LISTED = 100


async def _unit(db: AsyncSession, rt: ReportTemplate) -> Unit:
    unit = await db.get(Unit, rt.unit_id)
    assert unit is not None
    return unit


async def write_page(
    db: AsyncSession, scope: Scope, template_id: int, now: datetime
) -> ReportWriteOut:
    rt = await access_template(db, scope, template_id)
    if not await may_write(db, scope.person_id, rt):
        raise NotFound("report_template")
    ft = await db.get(FormTemplate, rt.form_template_id)
    assert ft is not None
    version = await newest(db, ft)
    tz = await unit_time_zone(db, rt.unit_id)
    period = periods.current(rt.period, now, tz)
    due = periods.deadline_at(rt.period, period, rt.deadline, tz)
    unit = await _unit(db, rt)
    to = await managers_of(db, scope.person_id, unit.path)
    mine = (
        await db.execute(
            select(Report.id).where(
                Report.template_id == rt.id,
                Report.author_id == scope.person_id,
                Report.period == period,
            )
        )
    ).scalar()
    previous = (
        await db.execute(
            select(Report.answers)
            .where(Report.template_id == rt.id, Report.author_id == scope.person_id)
            .order_by(Report.period.desc())
            .limit(1)
        )
    ).scalar()
    return ReportWriteOut(
        template=await shape(db, scope, rt, ft),
        version=version.number,
        definition=version.definition,
        period=period,
        deadline_at=due,
        late=now > due,
        to=list((await refs(db, to)).values()),
        report_id=mine,
        previous=previous,
    )


async def _chosen(db: AsyncSession, scope: Scope, ids: list[int], field: str) -> list[int]:
    """People one chose: anyone one may see, or a head above one."""
    above = await heads_above(db, scope.person_id) if ids else set()
    for i, pid in enumerate(ids):
        try:
            person = await db.get(Person, pid) if pid in above else None
            person = person or await access_person(db, scope, pid)
        except NotFound:
            raise Invalid("report_person_unknown", errors=[{"field": f"{field}.{i}"}]) from None
        if person.deactivated_at is not None:
            raise Invalid("report_person_unknown", errors=[{"field": f"{field}.{i}"}])
    return list(dict.fromkeys(ids))


async def submit(
    db: AsyncSession, actor: Actor, scope: Scope, data: ReportIn, now: datetime
) -> tuple[ReportOut, bool]:
    """Stores the report and sends it; whether it is new (a retry of the same `client_id`
    answers the first one)."""
    earlier = (
        await db.execute(
            select(Report).where(Report.author_id == actor.id, Report.client_id == data.client_id)
        )
    ).scalar_one_or_none()
    if earlier is not None:
        return await report_out(db, scope, earlier), False
    rt = await access_template(db, scope, data.template_id)
    if not await may_write(db, actor.id, rt):
        raise NotFound("report_template")
    tz = await unit_time_zone(db, rt.unit_id)
    this_period = periods.current(rt.period, now, tz)
    period = periods.start_of(rt.period, data.period) if data.period else this_period
    if period > this_period:
        raise Invalid("report_period_future", errors=[{"field": "period"}])
    row: FormVersion = await version_definition(db, rt, data.version)
    definition = FormDefinition.model_validate(row.definition)
    clean, errors = check_answers(definition.fields, data.answers)
    if errors:
        raise Problem("form_answers_invalid", 422, errors=errors, count=len(errors))
    unit = await _unit(db, rt)
    to = (
        await _chosen(db, scope, data.to, "to")
        if data.to is not None
        else await managers_of(db, actor.id, unit.path)
    )
    to = [p for p in to if p != actor.id]
    if not to:
        raise Invalid("report_no_recipients", errors=[{"field": "to"}])
    cc = [p for p in await _chosen(db, scope, data.cc, "cc") if p != actor.id and p not in to]
    due = periods.deadline_at(rt.period, period, rt.deadline, tz)
    report = Report(
        template_id=rt.id,
        version=row.number,
        author_id=actor.id,
        client_id=data.client_id,
        period=period,
        answers=clean,
        late=now > due,
        submitted_at=now,
    )
    try:
        async with db.begin_nested():
            db.add(report)
            await db.flush()
    except IntegrityError:
        raise Conflict("report_exists") from None
    row.used = True
    db.add(ReportReader(report_id=report.id, person_id=actor.id, role=AUTHOR, read_at=now))
    db.add_all(ReportReader(report_id=report.id, person_id=p, role=TO) for p in to)
    db.add_all(ReportReader(report_id=report.id, person_id=p, role=CC) for p in cc)
    await db.flush()
    ft = await db.get(FormTemplate, rt.form_template_id)
    name = ft.name if ft is not None else ""
    await cards.post_cards(db, actor, scope, report, name, rt.period, [*to, *cc])
    for role, people in ((TO, to), (CC, cc)):
        live.to_people(
            db, live.ReportReceived(report_id=report.id, author_id=actor.id, role=role), people
        )
    return await report_out(db, scope, report), True


async def access_report(db: AsyncSession, scope: Scope, report_id: int) -> tuple[Report, str]:
    """The report and the reader's role on it; 404 for anyone not its author, a recipient or
    a copy, as for one that does not exist."""
    found = (
        await db.execute(
            select(Report, ReportReader.role)
            .join(ReportReader, ReportReader.report_id == Report.id)
            .where(Report.id == report_id, ReportReader.person_id == scope.person_id)
        )
    ).first()
    if found is None:
        raise NotFound("report")
    return found[0], str(found[1])


async def _items(db: AsyncSession, rows: list[tuple[Report, ReportReader]]) -> list[ReportItem]:
    templates: dict[int, tuple[str, str]] = {}
    tids = {r.template_id for r, _ in rows}
    if tids:
        named = await db.execute(
            select(ReportTemplate.id, FormTemplate.name, ReportTemplate.period)
            .join(FormTemplate, FormTemplate.id == ReportTemplate.form_template_id)
            .where(ReportTemplate.id.in_(tids))
        )
        templates = {int(i): (n, p) for i, n, p in named.all()}
    authors = await refs(db, {r.author_id for r, _ in rows})
    return [
        ReportItem(
            id=r.id,
            template_id=r.template_id,
            template_name=templates[r.template_id][0],
            period_kind=templates[r.template_id][1],
            author=authors.get(r.author_id) or PersonRef(id=r.author_id, name=""),
            period=r.period,
            late=r.late,
            submitted_at=r.submitted_at,
            role=me.role,
            unread=me.read_at is None,
            unread_comments=max(0, r.comment_count - me.seen_seq),
            comment_count=r.comment_count,
        )
        for r, me in rows
    ]


async def report_out(db: AsyncSession, scope: Scope, report: Report) -> ReportOut:
    me = (
        await db.execute(
            select(ReportReader).where(
                ReportReader.report_id == report.id, ReportReader.person_id == scope.person_id
            )
        )
    ).scalar_one()
    (item,) = await _items(db, [(report, me)])
    rt = await db.get(ReportTemplate, report.template_id)
    assert rt is not None
    version = await version_definition(db, rt, report.version)
    readers = (
        await db.execute(
            select(ReportReader.person_id, ReportReader.role, ReportReader.read_at, Person.name)
            .join(Person, Person.id == ReportReader.person_id)
            .where(ReportReader.report_id == report.id, ReportReader.role != AUTHOR)
            .order_by(ReportReader.id)
        )
    ).all()
    shown: dict[str, list[ReportReaderOut]] = {TO: [], CC: []}
    for pid, role, read_at, name in readers:
        shown[role].append(ReportReaderOut(id=pid, name=name, read_at=read_at))
    return ReportOut(
        **item.model_dump(),
        version=report.version,
        definition=version.definition,
        answers=report.answers,
        to=shown[TO],
        cc=shown[CC],
    )


async def read(db: AsyncSession, scope: Scope, report_id: int, now: datetime) -> ReportOut:
    """The report, marked read by the reader (the badge; "read by" for the author)."""
    report, _ = await access_report(db, scope, report_id)
    me = (
        await db.execute(
            select(ReportReader).where(
                ReportReader.report_id == report.id, ReportReader.person_id == scope.person_id
            )
        )
    ).scalar_one()
    if me.read_at is None:
        me.read_at = now
        await db.flush()
        live.to_people(
            db,
            live.ReportRead(report_id=report.id, person_id=me.person_id, seen_seq=me.seen_seq),
            [report.author_id],
        )
    return await report_out(db, scope, report)


async def inbox(
    db: AsyncSession, scope: Scope, box: str, before: int | None, limit: int = MAX_LISTED
) -> ReportInboxOut:
    """Received (as a recipient or a copy) or sent reports, newest first, and the number of
    received ones not read yet."""
    roles = (TO, CC) if box == "received" else (AUTHOR,)
    q = (
        select(Report, ReportReader)
        .join(ReportReader, ReportReader.report_id == Report.id)
        .where(ReportReader.person_id == scope.person_id, ReportReader.role.in_(roles))
    )
    if before is not None:
        q = q.where(Report.id < before)
    result = await db.execute(q.order_by(Report.id.desc()).limit(limit))
    rows = [(r, me) for r, me in result.all()]
    return ReportInboxOut(
        items=await _items(db, list(rows)), unread=await count_unread(db, scope.person_id)
    )


async def count_unread(db: AsyncSession, person_id: int) -> int:
    return int(
        (
            await db.execute(
                select(func.count())
                .select_from(ReportReader)
                .where(
                    and_(
                        ReportReader.person_id == person_id,
                        ReportReader.role.in_((TO, CC)),
                        ReportReader.read_at.is_(None),
                    )
                )
            )
        ).scalar_one()
    )


def numbers(definition: dict[str, Any]) -> list[dict[str, Any]]:
    """The number questions of a definition (what a team's figures sum)."""
    return [f for f in definition.get("fields", []) if f.get("kind") == "number"]
