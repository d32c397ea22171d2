"""A report's comment thread (docs/reports.md, "Comments").

Any reader of the report (author, recipient, copy) comments. Read positions are chat's idea —
a cursor per reader (`ReportReader.seen_seq`) rather than a row per (comment, reader): who
has read comment `seq` is the readers whose cursor is at or past it. Fetching the thread moves
the reader's cursor to its end; writing a comment reads everything before it. "Read by" is
shown to each commenter for their own comments only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from bellwork.chat.schemas import PersonRef
from bellwork.org.access import Scope
from bellwork.reports import live
from bellwork.reports.models import Report, ReportComment, ReportReader
from bellwork.reports.people import refs
from bellwork.reports.schemas import ReportCommentOut
from bellwork.reports.writing import access_report

MAX_COMMENTS = 500


async def _readers(db: AsyncSession, report_id: int) -> list[ReportReader]:
    return list(
        (
            await db.execute(select(ReportReader).where(ReportReader.report_id == report_id))
        ).scalars()
    )


async def _see(
    db: AsyncSession, report: Report, readers: list[ReportReader], person_id: int, now: datetime
) -> None:
    me = next(r for r in readers if r.person_id == person_id)
    if me.seen_seq >= report.comment_count and me.read_at is not None:
        return
    me.seen_seq = report.comment_count
    me.read_at = me.read_at or now
    await db.flush()
    commenters = set(
        (
            await db.execute(
                select(ReportComment.author_id).where(ReportComment.report_id == report.id)
            )
        ).scalars()
    )
    told = {int(p) for p in commenters if p is not None} | {report.author_id}
    live.to_people(
        db,
        live.ReportRead(report_id=report.id, person_id=person_id, seen_seq=me.seen_seq),
        told - {person_id},
    )


async def thread(
    db: AsyncSession, scope: Scope, report_id: int, now: datetime
) -> list[ReportCommentOut]:
    report, _ = await access_report(db, scope, report_id)
    readers = await _readers(db, report.id)
    await _see(db, report, readers, scope.person_id, now)
    return await _shape(db, report, readers, scope.person_id)


async def _shape(
    db: AsyncSession, report: Report, readers: list[ReportReader], viewer: int
) -> list[ReportCommentOut]:
    rows = list(
        (
            await db.execute(
                select(ReportComment)
                .where(ReportComment.report_id == report.id)
                .order_by(ReportComment.seq)
                .limit(MAX_COMMENTS)
            )
        ).scalars()
    )
    people = await refs(
        db, {c.author_id for c in rows if c.author_id} | {r.person_id for r in readers}
    )
    out: list[ReportCommentOut] = []
    for c in rows:
        read_by = None
        if c.author_id == viewer:
            read_by = [
                people.get(r.person_id) or PersonRef(id=r.person_id, name="")
                for r in readers
                if r.person_id != viewer and r.seen_seq >= c.seq
            ]
        out.append(
            ReportCommentOut(
                seq=c.seq,
                author=people.get(c.author_id) if c.author_id else None,
                body=c.body,
                created_at=c.created_at,
                read_by=read_by,
            )
        )
    return out


async def add(
    db: AsyncSession, scope: Scope, report_id: int, body: str, now: datetime
) -> ReportCommentOut:
    report, _ = await access_report(db, scope, report_id)
    # The report's row takes the next number (locked on PostgreSQL until commit).
    seq = (
        await db.execute(
            update(Report)
            .where(Report.id == report.id)
            .values(comment_count=Report.comment_count + 1)
            .returning(Report.comment_count)
            .execution_options(synchronize_session=False)
        )
    ).scalar_one()
    # The row already says so: no second UPDATE of the report at flush.
    set_committed_value(report, "comment_count", int(seq))
    db.add(
        ReportComment(
            report_id=report.id, seq=seq, author_id=scope.person_id, body=body, created_at=now
        )
    )
    await db.flush()
    readers = await _readers(db, report.id)
    await _see(db, report, readers, scope.person_id, now)
    live.to_people(
        db,
        live.ReportCommented(report_id=report.id, seq=seq),
        {r.person_id for r in readers} - {scope.person_id},
    )
    author = (await refs(db, [scope.person_id])).get(scope.person_id)
    return ReportCommentOut(seq=seq, author=author, body=body, created_at=now, read_by=[])
