"""A request's card in chat: when a step starts (or a request is transferred or an approver
added), each approver whose turn it is gets a message of kind "approval" from the submitter in
their direct chat (chat's own `direct_between` and `post_message`, as any message the
submitter sends), the request's title as `body` and what it opens in `Message.card`. Each task
gets its card once (`client_msg_id` names the task). Someone the submitter may not message (a
deactivated account) gets no card; the request waits in their list all the same."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.approvals.models import ApprovalRequest, ApprovalTemplate
from bellwork.chat.membership import direct_between
from bellwork.chat.messages import post_message
from bellwork.chat.models import MessageKind
from bellwork.forms.models import FormTemplate
from bellwork.org.models import Person


async def post_cards(
    db: AsyncSession, req: ApprovalRequest, tasks: Iterable[tuple[int, int]]
) -> int:
    """Posts the card to each (task id, approver); how many got one."""
    submitter = await db.get(Person, req.submitter_id)
    if submitter is None or submitter.deactivated_at is not None:
        return 0
    at = await db.get(ApprovalTemplate, req.template_id)
    ft = await db.get(FormTemplate, at.form_template_id) if at is not None else None
    card = {"request_id": req.id, "template_name": ft.name if ft is not None else ""}
    posted = 0
    for task_id, person_id in tasks:
        person = await db.get(Person, person_id)
        if person is None or person.deactivated_at is not None or person_id == submitter.id:
            continue
        # The approver was named by the template's flow (or by an approver): they may be
        # told of it in a direct chat with the submitter.
        conv = await direct_between(db, submitter.id, person_id)
        await post_message(
            db,
            conv,
            submitter,
            req.title,
            kind=MessageKind.approval,
            card=card,
            client_msg_id=f"approval:{req.id}:{task_id}",
        )
        posted += 1
    return posted
