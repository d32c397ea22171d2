"""What a list's `q` finds (docs/approvals.md, "Lists and export"): a request whose title, whose
submitter's name, or whose answer to one of its form's short text questions (kind `text`, as
a purchase's item) contains the words, case aside. It narrows a list, so it only ever finds
what the person may see there.

One list query still: the text is a condition on the list's own rows, which the box's indexes
find (the submitter's, the approver's tasks, the copies); the name is matched through the
submitter's primary key, the answers through their JSON (`answers ->> 'item'`). Which answers
are short text depends on the form version a request was filled on, so one small query first
reads the definitions of the versions the list's rows were filled on (a version is never
changed once used) — per form version, never per request."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, cast

from sqlalchemy import and_, exists, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.approvals.models import ApprovalRequest, ApprovalTemplate
from bellwork.forms.models import FormVersion
from bellwork.org.models import Person

SHORT_TEXT = "text"


async def short_text_keys(db: AsyncSession, q: Any) -> dict[str, dict[int, set[int]]]:
    """The short text questions of the form versions the rows of `q` were filled on: for each
    question key, the templates (approval template id → form versions) where it is one."""
    filled = (
        q.with_only_columns(ApprovalRequest.template_id, ApprovalRequest.form_version)
        .order_by(None)
        .distinct()
        .subquery()
    )
    rows = await db.execute(
        select(filled.c.template_id, filled.c.form_version, FormVersion.definition)
        .join(ApprovalTemplate, ApprovalTemplate.id == filled.c.template_id)
        .join(
            FormVersion,
            and_(
                FormVersion.template_id == ApprovalTemplate.form_template_id,
                FormVersion.number == filled.c.form_version,
            ),
        )
    )
    keys: dict[str, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    filled_on = cast(list[tuple[int, int, dict[str, Any] | None]], rows.all())
    for template_id, version, definition in filled_on:
        for f in (definition or {}).get("fields", []):
            if f.get("kind") == SHORT_TEXT and isinstance(f.get("key"), str):
                keys[f["key"]][int(template_id)].add(int(version))
    return keys


def _filled_on(where: dict[int, set[int]]) -> Any:
    return or_(
        *(
            and_(
                ApprovalRequest.template_id == template_id,
                ApprovalRequest.form_version.in_(sorted(versions)),
            )
            for template_id, versions in sorted(where.items())
        )
    )


async def matching(db: AsyncSession, q: Any, text: str) -> Any:
    """The condition a row of `q` meets when it is found by `text`."""
    words = text.strip()
    if not words:
        return ~false()
    found = [
        ApprovalRequest.title.icontains(words, autoescape=True),
        exists().where(
            Person.id == ApprovalRequest.submitter_id,
            Person.name.icontains(words, autoescape=True),
        ),
    ]
    for key, where in sorted((await short_text_keys(db, q)).items()):
        found.append(
            and_(
                _filled_on(where),
                ApprovalRequest.answers[key].as_string().icontains(words, autoescape=True),
            )
        )
    return or_(*found)
