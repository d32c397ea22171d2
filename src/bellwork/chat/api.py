from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import orjson
from fastapi import File, Query, Request, Response, UploadFile
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.chat import (
    access,
    attachments,
    burn,
    forwarding,
    groups,
    history,
    listing,
    membership,
    messages,
    shaping,
)
from bellwork.chat import files as filestore
from bellwork.chat import receipts as read_receipts
from bellwork.chat.models import Message, StoredFile
from bellwork.chat.schemas import (
    ConversationOut,
    DirectCreate,
    FileOut,
    ForwardCreate,
    ForwardOut,
    GroupCreate,
    GroupUpdate,
    History,
    MemberOut,
    MembersAdd,
    MessageCreate,
    MessageOut,
    MessagePage,
    Muted,
    Pinned,
    ReadIn,
    ReadOut,
    Receipt,
    ReceiptCount,
    RoleChange,
    UnreadTotal,
)
from bellwork.core.deps import DB as RequestDB
from bellwork.core.deps import CurrentActor, CurrentScope
from bellwork.core.errors import Invalid, NotFound
from bellwork.core.routing import Router
from bellwork.core.schemas import Page
from bellwork.core.types import MAX_SEQ, PathId, PathSeq, QuerySeq
from bellwork.files import responses as stored
from bellwork.runtime import runtime_of

router = Router(prefix="/api/v1", tags=["chat"])


class Added(BaseModel):
    added: list[int]


def _data_dir(request: Request) -> Path:
    return Path(request.app.state.settings.data_dir)


# The request's session: chat finds the data folder (keys of private chats) and the files store
# through its runtime (`runtime_of(db)`).
DB = RequestDB


@router.get("/conversations", response_model=Page[ConversationOut])
async def list_conversations(
    db: DB,
    actor: CurrentActor,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[ConversationOut]:
    """One's conversations, most recently active first, with unread counts; a page at a time
    (`next_cursor` of the previous page as `cursor`). Conversations that become active while
    one pages come by the live events (message.new, conversation.updated), not in later pages."""
    return await listing.list_conversations(db, actor, limit, cursor)


@router.get("/conversations/unread", response_model=UnreadTotal)
async def unread_total(
    db: DB,
    actor: CurrentActor,
    cursor: Annotated[
        str | None,
        Query(max_length=200, description="Only the conversations after this list cursor"),
    ] = None,
) -> UnreadTotal:
    """One's unread messages over all one's conversations, however many pages the list has:
    the sum of their `unread` counts, muted conversations apart. With `cursor` (a `next_cursor`
    of `GET /conversations`): only the conversations after it, the ones a client has not loaded;
    it adds the `unread` of those it has, which the live events keep up to date."""
    return await listing.unread_total(db, actor.id, cursor)


@router.post("/conversations/direct", response_model=ConversationOut)
async def open_direct(
    data: DirectCreate, db: DB, actor: CurrentActor, scope: CurrentScope
) -> ConversationOut:
    """The 1:1 conversation with a person one may see (created on first use). `private`:
    the burn-after-reading conversation, whose messages vanish `burn_seconds` after opening."""
    conv, me = await membership.open_direct(
        db, actor, scope, data.person_id, data.private, data.burn_seconds
    )
    return await shaping.conversation_out(db, actor.id, conv, me)


@router.post("/conversations/devices", response_model=ConversationOut)
async def open_devices(db: DB, actor: CurrentActor) -> ConversationOut:
    """ "My devices": a conversation with oneself to move files between phone and computer."""
    conv, me = await membership.open_devices(db, actor)
    return await shaping.conversation_out(db, actor.id, conv, me)


@router.post("/conversations/groups", response_model=ConversationOut, status_code=201)
async def create_group(
    data: GroupCreate, db: DB, actor: CurrentActor, scope: CurrentScope
) -> ConversationOut:
    conv, me = await membership.create_group(db, actor, scope, data)
    return await shaping.conversation_out(db, actor.id, conv, me)


@router.get("/units/{unit_id}/group", response_model=ConversationOut)
async def unit_group(unit_id: PathId, db: DB, actor: CurrentActor) -> ConversationOut:
    """The unit's group (a class's home-school group), kept in step with the roster."""
    conv, me = await groups.open_unit_group(db, actor, unit_id)
    return await shaping.conversation_out(db, actor.id, conv, me)


@router.get("/conversations/{conversation_id}", response_model=ConversationOut)
async def get_conversation(conversation_id: PathId, db: DB, actor: CurrentActor) -> ConversationOut:
    conv, me = await access.access_conversation(db, actor.id, conversation_id)
    return await shaping.conversation_out(db, actor.id, conv, me)


@router.patch("/conversations/{conversation_id}", response_model=ConversationOut)
async def update_conversation(
    conversation_id: PathId, data: GroupUpdate, db: DB, actor: CurrentActor
) -> ConversationOut:
    """Rename a group or set its avatar (owner/admins); set a private chat's burn time."""
    conv, me = await membership.update_group(db, actor, conversation_id, data)
    return await shaping.conversation_out(db, actor.id, conv, me)


@router.put("/conversations/{conversation_id}/mute", response_model=ConversationOut)
async def mute(
    conversation_id: PathId, data: Muted, db: DB, actor: CurrentActor
) -> ConversationOut:
    """消息免打扰 for oneself: no badge in the total, no alert (but for mentions of oneself)."""
    return await listing.set_own(db, actor, conversation_id, muted=data.muted)


@router.put("/conversations/{conversation_id}/pin", response_model=ConversationOut)
async def pin(
    conversation_id: PathId, data: Pinned, db: DB, actor: CurrentActor
) -> ConversationOut:
    """置顶 for oneself: pinned conversations come first in one's list."""
    return await listing.set_own(db, actor, conversation_id, pinned=data.pinned)


@router.get("/conversations/{conversation_id}/members", response_model=list[MemberOut])
async def members(
    conversation_id: PathId,
    db: DB,
    actor: CurrentActor,
    q: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int | None, Query(ge=1, le=200)] = None,
) -> list[MemberOut]:
    """The current members. With `q` (the @-picker): those whose name, its pinyin (`zhangsan`)
    or pinyin initials (`zs`) start with `q`, as the directory matches them (phones and other
    identifiers left out), the best match first; `limit` caps the answer."""
    return await listing.list_members(db, actor, conversation_id, q, limit)


@router.post("/conversations/{conversation_id}/members", response_model=Added)
async def add_members(
    conversation_id: PathId, data: MembersAdd, db: DB, actor: CurrentActor, scope: CurrentScope
) -> Added:
    """Add people to a group (owner/admins)."""
    return Added(
        added=await membership.add_members(db, actor, scope, conversation_id, data.person_ids)
    )


@router.delete("/conversations/{conversation_id}/members/{person_id}", status_code=204)
async def remove_member(
    conversation_id: PathId, person_id: PathId, db: DB, actor: CurrentActor
) -> Response:
    await membership.remove_member(db, actor, conversation_id, person_id)
    return Response(status_code=204)


@router.put("/conversations/{conversation_id}/members/{person_id}/role", status_code=204)
async def set_role(
    conversation_id: PathId, person_id: PathId, data: RoleChange, db: DB, actor: CurrentActor
) -> Response:
    """The owner makes a member admin or member, or hands over ownership."""
    await membership.set_role(db, actor, conversation_id, person_id, data.role)
    return Response(status_code=204)


@router.post("/conversations/{conversation_id}/leave", status_code=204)
async def leave(conversation_id: PathId, db: DB, actor: CurrentActor) -> Response:
    await membership.leave(db, actor, conversation_id)
    return Response(status_code=204)


@router.post("/conversations/{conversation_id}/dissolve", status_code=204)
async def dissolve(conversation_id: PathId, db: DB, actor: CurrentActor) -> Response:
    await membership.dissolve(db, actor, conversation_id)
    return Response(status_code=204)


@router.get("/conversations/{conversation_id}/messages", response_model=MessagePage)
async def list_messages(
    conversation_id: PathId,
    db: DB,
    actor: CurrentActor,
    before_seq: QuerySeq = None,
    after_seq: Annotated[
        int | None, Query(ge=0, le=MAX_SEQ, description="Catch up: messages after this seq")
    ] = None,
    q: Annotated[str | None, Query(max_length=100, description="Search the history")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> MessagePage:
    return await history.list_messages(db, actor, conversation_id, before_seq, after_seq, limit, q)


@router.post(
    "/conversations/{conversation_id}/messages",
    response_model=MessageOut,
    status_code=201,
    responses={200: {"description": "A retry: the earlier message"}},
)
async def send(
    conversation_id: PathId, data: MessageCreate, db: DB, actor: CurrentActor, response: Response
) -> MessageOut:
    """Send a message. Retrying with the same `client_msg_id` returns the first one (200).

    `image`, `file` and `voice` carry a file uploaded to this conversation first. A voice
    message (语音) is a recording of 1-60 s with sound only (audio/webm, audio/ogg or audio/mp4,
    as browsers record Opus; at most 2 MB) and its `duration_ms`, which must agree with the
    recording's own length to within a second; refused otherwise (`not_a_voice_recording`,
    `file_too_large`, `voice_duration_invalid`, `voice_duration_mismatch`)."""
    out, new = await messages.send_message(db, actor, conversation_id, data)
    if not new:
        response.status_code = 200
    return out


@router.post(
    "/forward",
    response_model=ForwardOut,
    status_code=201,
    responses={200: {"description": "A retry: the earlier forward's messages"}},
)
async def forward(
    data: ForwardCreate, db: DB, actor: CurrentActor, response: Response
) -> ForwardOut:
    """转发: forward messages of a conversation one may read to up to 9 conversations one is a
    member of — each as a message of its own (逐条转发), or all (up to 100) as one chat-history
    card (`merged`: 合并转发, a message of kind "history"), followed by the `note` (留言) if any.
    Forwarded images and files are readable by the target's members like any file sent there.

    Refused, with nothing posted: messages of a private (burn-after-reading) chat
    (403 `forward_private`), into one (403 `forward_to_private`), recalled (422
    `forward_recalled`) or system messages (422 `forward_system`), messages that are not there
    or were said before one joined (404 `forward_message_missing`), more than 100 messages
    (422 `forward_too_many`) or 9 targets (422 `forward_too_many_targets`), a target one is not
    in (404 `forward_target_unknown`); `errors` names the message (`seq`) or target (`id`).
    Retrying with the same `client_msg_id` returns the first forward's messages (200)."""
    out, new = await forwarding.forward(db, actor, data)
    if not new:
        response.status_code = 200
    return ForwardOut(messages=out)


@router.get("/conversations/{conversation_id}/messages/{seq}/history", response_model=History)
async def card_history(
    conversation_id: PathId, seq: PathSeq, db: DB, actor: CurrentActor
) -> History:
    """The messages of a chat-history card (kind "history"), oldest first: who said what and
    when, with each image or file as its copy in this conversation (`GET /files/{id}`)."""
    return await forwarding.history(db, actor, conversation_id, seq)


@router.post("/conversations/{conversation_id}/read", response_model=ReadOut)
async def read(conversation_id: PathId, data: ReadIn, db: DB, actor: CurrentActor) -> ReadOut:
    """Mark everything up to `seq` read."""
    return await read_receipts.mark_read(db, actor.id, conversation_id, data.seq)


@router.post("/conversations/{conversation_id}/messages/{seq}/recall", status_code=204)
async def recall(
    conversation_id: PathId, seq: PathSeq, request: Request, db: DB, actor: CurrentActor
) -> Response:
    """Recall: the sender within 2 minutes, group owner/admins any time."""
    await messages.recall(db, actor, conversation_id, seq, _data_dir(request))
    return Response(status_code=204)


@router.post("/conversations/{conversation_id}/messages/{seq}/open", response_model=MessageOut)
async def open_private(
    conversation_id: PathId, seq: PathSeq, db: DB, actor: CurrentActor
) -> MessageOut:
    """Reveal a private message; it is deleted from the server `burn_seconds` later."""
    return await burn.open_private(db, actor, conversation_id, seq)


@router.get("/conversations/{conversation_id}/messages/{seq}/receipt", response_model=Receipt)
async def receipt(conversation_id: PathId, seq: PathSeq, db: DB, actor: CurrentActor) -> Response:
    """Who has read one's message and who has not, grouped by class or department."""
    data = await read_receipts.receipt(db, actor, conversation_id, seq)
    # Thousands of names: sent as built, not dumped, re-validated and dumped again by FastAPI.
    return Response(orjson.dumps(data), media_type="application/json")


@router.get("/conversations/{conversation_id}/receipts", response_model=list[ReceiptCount])
async def receipts(
    conversation_id: PathId,
    db: DB,
    actor: CurrentActor,
    seqs: Annotated[str, Query(description="Comma-separated seqs of one's own messages")],
) -> list[ReceiptCount]:
    try:
        wanted = sorted({int(x) for x in seqs.split(",") if x.strip()})[:200]
        if any(not 0 <= x <= MAX_SEQ for x in wanted):
            raise ValueError("out of range")
    except ValueError as exc:
        raise Invalid("validation_failed", errors=[{"field": "seqs"}]) from exc
    conv, _ = await access.access_conversation(db, actor.id, conversation_id)
    msgs = (
        (
            await db.execute(
                select(Message).where(
                    Message.conversation_id == conv.id,
                    Message.seq.in_(wanted),
                    Message.sender_id == actor.id,
                )
            )
        )
        .scalars()
        .all()
    )
    return await read_receipts.receipt_counts(db, conv, sorted(msgs, key=lambda m: m.seq))


@router.post("/conversations/{conversation_id}/files", response_model=FileOut, status_code=201)
async def upload(
    conversation_id: PathId,
    request: Request,
    db: DB,
    actor: CurrentActor,
    file: Annotated[UploadFile, File()],
) -> FileOut:
    """Upload a file or image to send in this conversation (images up to 20 MB, files 50 MB).
    The type is taken from the bytes; a claimed type that does not match them is refused. A
    recording (WebM, Ogg or MP4 with sound only) is stored as audio/webm, audio/ogg or
    audio/mp4 with its length read from the container (`duration_ms`), to send as `voice`."""
    data = await file.read(filestore.MAX_FILE + 1)
    return await attachments.upload_file(
        db, actor, conversation_id, file.filename or "file", file.content_type, data
    )


async def _file(db: DB, actor_id: PathId, file_id: PathId) -> StoredFile:
    f = await db.get(StoredFile, file_id)
    if f is None or f.conversation_id is None:
        raise NotFound("file")
    try:
        conv, me = await access.access_conversation(db, actor_id, f.conversation_id)
    except NotFound:
        raise NotFound("file") from None
    if not await attachments.file_readable(db, conv, me, f):
        raise NotFound("file")
    return f


async def _private(db: AsyncSession, f: StoredFile, thumbnail: bool) -> Response:
    """A private chat's file, decrypted for this answer and never cached by the browser."""
    runtime = runtime_of(db)
    data = await filestore.open_private(runtime.files, runtime.data_dir, f, thumbnail)
    name = await asyncio.to_thread(filestore.read_name, runtime.data_dir, f)
    if data is None or name is None:
        raise NotFound("file")  # burned a moment ago (or its key is lost)
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
    if thumbnail:
        return Response(data, media_type="image/jpeg", headers=headers)
    inline = f.content_type.startswith("image/")
    headers["Content-Disposition"] = stored.disposition("inline" if inline else "attachment", name)
    return Response(data, media_type=f.content_type, headers=headers)


@router.get("/files/{file_id}")
async def download(file_id: PathId, request: Request, db: DB, actor: CurrentActor) -> Response:
    """Download a file: for those who may see the message that carries it (a group's avatar:
    its members), 404 alike for everyone else."""
    f = await _file(db, actor.id, file_id)
    if f.key_id is not None:
        return await _private(db, f, thumbnail=False)
    answer = await stored.send(
        request,
        runtime_of(db).files,
        f.storage_key,
        media_type=f.content_type,
        filename=f.name,
        inline=f.content_type.startswith("image/"),
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=86400"},
    )
    if answer is None:
        raise NotFound("file")  # deleted a moment ago
    return answer


@router.get("/files/{file_id}/thumbnail")
async def thumbnail(file_id: PathId, request: Request, db: DB, actor: CurrentActor) -> Response:
    f = await _file(db, actor.id, file_id)
    if f.thumb_key is None:
        raise NotFound("file")
    if f.key_id is not None:
        return await _private(db, f, thumbnail=True)
    answer = await stored.send(
        request,
        runtime_of(db).files,
        f.thumb_key,
        media_type="image/jpeg",
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=86400"},
    )
    if answer is None:
        raise NotFound("file")
    return answer
