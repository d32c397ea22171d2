from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, TypedDict

from pydantic import AfterValidator, BaseModel, Field

from bellwork.chat.models import ConversationKind, JoinMode, MemberRole, MessageKind
from bellwork.core.types import Id, Seq
from bellwork.org.models import UnitKind
from bellwork.org.schemas import required_name

MAX_TEXT = 5000
MAX_GROUP = 3000

# A group's name: white space folded; blank is refused.
GroupName = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(required_name)]


class ParentOfOut(BaseModel):
    """A guardian shown as their child's parent (org/guardians.py): clients word it in the
    reader's language from the child's name and the relation (王军杰妈妈 / Wang Junjie's mother)."""

    student_id: int
    student_name: str
    relation: str | None


class PersonRef(BaseModel):
    id: int
    name: str
    parent_of: ParentOfOut | None = None
    photo_url: str | None = Field(
        default=None,
        description="Their photo (头像) where it is at hand (message senders, a direct chat's "
        'other person); thumbnail at this + "/thumbnail". Shown to whoever may see them in '
        "the directory (404 otherwise: show the initial).",
    )


class FileOut(BaseModel):
    id: int
    name: str
    content_type: str
    size: int
    width: int | None = None
    height: int | None = None
    has_thumbnail: bool = False
    duration_ms: int | None = Field(
        default=None,
        description="A recording's length in milliseconds (a voice message's: 1000–60000); "
        "null for other files.",
    )


class HistoryPerson(BaseModel):
    """A person in a chat-history card, named as they were shown when it was forwarded."""

    id: int | None = None
    name: str
    parent_of: ParentOfOut | None = None


class HistorySource(BaseModel):
    """Where a chat-history card's messages were said, for its title: a group's name
    ("群聊 一年级1班 的聊天记录" / "Chat history of group …") or the people of a direct chat
    ("张三和李四的聊天记录" / "Chat history of 张三 and 李四"); clients word it."""

    kind: Literal["group", "people"]
    name: str | None = None
    people: list[HistoryPerson] = []


class HistoryItem(BaseModel):
    """One forwarded message inside a chat-history card."""

    sender: HistoryPerson | None
    created_at: datetime
    kind: Literal["text", "image", "file", "history"]
    text: str | None = Field(default=None, description="A text message's text")
    file: FileOut | None = Field(
        default=None,
        description="An image or file: its copy in this conversation (`GET /files/{id}`), "
        "readable by the conversation's members who may see the card",
    )
    source: HistorySource | None = Field(
        default=None, description="A card inside the card: whose chat history it was"
    )


class HistoryCard(BaseModel):
    """What a message of kind "history" shows in the conversation: its title, how many
    messages it holds and the first few (texts cut short). All of them:
    `GET /conversations/{id}/messages/{seq}/history`."""

    source: HistorySource
    count: int
    preview: list[HistoryItem]


class History(BaseModel):
    """Every message of a chat-history card, oldest first."""

    conversation_id: int
    seq: int
    source: HistorySource
    items: list[HistoryItem]


class NoticeCard(BaseModel):
    """Kind "notice": the notice a card in a unit group opens (its title is the `body`)."""

    notice_id: int
    importance: str


class FormCard(BaseModel):
    """Kind "form": the form a card in a unit group opens (its name is the `body`): to fill
    for oneself or one's child, or its figures for a teacher (`GET /forms/campaigns/{id}/entry`)."""

    campaign_id: int
    # The group's unit: whose people the card is about.
    unit_id: int
    # The first day asked and the day's deadline ("09:00") in the campaign's time zone.
    period: date
    deadline: str


class ReportCard(BaseModel):
    """Kind "report": the work report a card in a direct chat opens (its template's name is
    the `body`): `GET /reports/{id}`, for its author and recipients."""

    report_id: int
    period: date
    period_kind: str


class ApprovalCard(BaseModel):
    """Kind "approval": the approval request a card in a direct chat opens (its title is the
    `body`): `GET /approvals/{id}`, for its submitter, approvers and copies."""

    request_id: int
    template_name: str


class LessonCard(BaseModel):
    """Kind "lesson": the live lesson a card in a class group opens (its title is the `body`;
    `GET /lessons/{id}` says whether it is live)."""

    lesson_id: int
    starts_at: datetime | None = None


class MeetingCard(BaseModel):
    """Kind "meeting": the meeting a card in its conversation opens (its title is the `body`;
    `GET /meetings/{id}` says whether it is live)."""

    meeting_id: int
    starts_at: datetime | None = None


class CallCard(BaseModel):
    """Kind "call": how a 1:1 call went (calls/service.py); the reader's client words it
    ("Missed call", "Call time 01:23")."""

    call_id: int
    video: bool
    outcome: Literal["ended", "missed", "declined", "cancelled", "busy"]
    seconds: int | None = Field(default=None, description="Its time, once answered")


class MessageOut(BaseModel):
    conversation_id: int
    seq: int
    sender: PersonRef | None
    kind: MessageKind
    body: str | None = Field(description="null when recalled, or a private message not opened")
    mentions: list[int | Literal["all"]] = []
    reply_to_seq: int | None = None
    reply_preview: str | None = None
    file: FileOut | None = None
    card: HistoryCard | None = Field(
        default=None, description='kind "history": the forwarded chat history it holds'
    )
    notice: NoticeCard | None = Field(
        default=None, description='kind "notice": the notice it announces (notices/cards.py)'
    )
    form: FormCard | None = Field(
        default=None, description='kind "form": the form it asks to fill (forms/cards.py)'
    )
    report: ReportCard | None = Field(
        default=None, description='kind "report": the work report it opens (reports/cards.py)'
    )
    lesson: LessonCard | None = Field(
        default=None, description='kind "lesson": the live lesson it announces (lessons/cards.py)'
    )
    approval: ApprovalCard | None = Field(
        default=None,
        description='kind "approval": the approval request it asks to decide (approvals/cards.py)',
    )
    meeting: MeetingCard | None = Field(
        default=None, description='kind "meeting": the meeting it announces (meetings/cards.py)'
    )
    call: CallCard | None = Field(
        default=None, description='kind "call": how a 1:1 call went (calls/service.py)'
    )
    client_msg_id: str | None = None
    created_at: datetime
    recalled: bool = False
    opened_at: datetime | None = None
    expires_at: datetime | None = None
    unread_count: int | None = Field(
        default=None, description="For one's own messages: members who have not read it yet."
    )


class ConversationOut(BaseModel):
    id: int
    kind: ConversationKind
    name: str
    avatar_file_id: int | None
    unit_id: int | None
    unit_kind: UnitKind | None = Field(
        default=None, description="A unit group's kind of unit (a class's is its home-school group)"
    )
    private: bool
    burn_seconds: int | None
    member_count: int
    my_role: MemberRole
    muted: bool
    pinned: bool = Field(description="置顶 by oneself: the list shows pinned ones first")
    last_seq: int
    last_read_seq: int
    unread: int
    mention_seq: int | None = Field(
        description="The newest unread message that mentions oneself by name (the list shows "
        '"[有人@我]"); null once read.',
    )
    mention_all_seq: int | None = Field(
        description='The newest unread message that mentions everyone ("[@所有人]"); null once '
        "read.",
    )
    last_message: MessageOut | None
    last_message_at: datetime
    peer: PersonRef | None = Field(default=None, description="The other person of a direct chat")
    join_mode: JoinMode | None = Field(
        default=None,
        description="A group's: how people join by its QR code (open: at once; approval: an "
        "admin approves; off: the code does not work); null for other conversations",
    )


class MemberOut(BaseModel):
    person: PersonRef
    role: MemberRole
    last_read_seq: int | None = Field(
        description="One's own read position; null for the other members: who has read what is "
        "for a message's sender to ask (`GET .../messages/{seq}/receipt`), not for every member."
    )


class DirectCreate(BaseModel):
    person_id: Id
    private: bool = False
    burn_seconds: Annotated[int | None, Field(ge=10, le=300)] = Field(
        default=None,
        description="Private only: seconds from opening to deletion. A new private chat "
        "defaults to 30; given for an existing one, it changes its setting.",
    )


class GroupCreate(BaseModel):
    name: GroupName
    member_ids: Annotated[list[Id], Field(max_length=MAX_GROUP)] = []


class GroupUpdate(BaseModel):
    name: GroupName | None = None
    avatar_file_id: Id | None = None
    burn_seconds: Annotated[int | None, Field(ge=10, le=300)] = None
    join_mode: JoinMode | None = Field(
        default=None, description="How people join by the group's QR code (owner and admins)"
    )


class MembersAdd(BaseModel):
    person_ids: Annotated[list[Id], Field(min_length=1, max_length=MAX_GROUP)]


class RoleChange(BaseModel):
    role: Literal["admin", "member", "owner"]


class MessageCreate(BaseModel):
    client_msg_id: Annotated[str, Field(min_length=1, max_length=64)] = Field(
        description="Chosen by the client; a retry with the same id returns the first message."
    )
    kind: Literal["text", "image", "file", "voice"] = Field(
        default="text",
        description="`image`, `file` and `voice` carry an uploaded `file_id`. `voice`: a "
        "recording of 1–60 s (WebM, Ogg or MP4 with sound only, Opus as browsers record it; at "
        "most 2 MB) and its `duration_ms`.",
    )
    body: Annotated[str | None, Field(max_length=MAX_TEXT)] = None
    mentions: Annotated[list[Id | Literal["all"]], Field(max_length=200)] = []
    reply_to_seq: Seq | None = None
    file_id: Id | None = None
    duration_ms: Annotated[int | None, Field(ge=0, le=3_600_000)] = Field(
        default=None,
        description="Voice only: the recording's length in milliseconds as the recorder measured "
        "it, 1000–60000. The server checks it against the length the file's container gives "
        "(they may differ by up to a second) and shows that one.",
    )


MAX_FORWARD = 100
MAX_FORWARD_TARGETS = 9


class ForwardCreate(BaseModel):
    client_msg_id: Annotated[str, Field(min_length=1, max_length=40, pattern="^[^/]+$")] = Field(
        description="Chosen by the client; a retry with the same id returns the first "
        "forward's messages. Each message posted carries `<client_msg_id>/<target>/<n>`."
    )
    conversation_id: Id = Field(description="Where the messages are forwarded from")
    seqs: Annotated[list[Seq], Field(min_length=1, max_length=1000)] = Field(
        description=f"The messages to forward (at most {MAX_FORWARD}), in any order: they go "
        "oldest first"
    )
    merged: bool = Field(
        default=False,
        description="false: 逐条转发, each message as a message of its own; true: 合并转发, "
        'all of them as one chat-history card (kind "history")',
    )
    targets: Annotated[list[Id], Field(min_length=1, max_length=100)] = Field(
        description=f"Conversations to forward to (at most {MAX_FORWARD_TARGETS}), each one "
        "the sender is a member of and that is not a private (burn-after-reading) chat"
    )
    note: Annotated[str | None, Field(max_length=MAX_TEXT)] = Field(
        default=None, description="留言: a text sent after the forwarded messages to every target"
    )


class ForwardOut(BaseModel):
    messages: list[MessageOut] = Field(
        description="What was posted, target by target, each as its sender sees it"
    )


class Pinned(BaseModel):
    pinned: bool


class Muted(BaseModel):
    muted: bool


class ReadIn(BaseModel):
    seq: Seq


class ReadOut(BaseModel):
    conversation_id: int
    last_read_seq: int
    unread: int


class UnreadTotal(BaseModel):
    unread: int = Field(
        description="The sum of `unread` of one's conversations that are not muted "
        "(what the tab title and the chat entry's badge show)."
    )
    muted_unread: int = Field(description="The same over one's muted conversations.")


class ReceiptPerson(BaseModel):
    """A member in a read receipt's lists: by name. Clients label guardians as parents from
    the members list they hold (`GET .../members`); docs/chat.md says why not here."""

    id: int
    name: str


class ReceiptGroup(BaseModel):
    unit: str | None = Field(description="Which class or department, as a path of names")
    people: list[ReceiptPerson]


class Receipt(BaseModel):
    conversation_id: int
    seq: int
    read_count: int
    unread_count: int
    read: list[ReceiptGroup]
    unread: list[ReceiptGroup]


class PersonRefData(TypedDict):
    id: int
    name: str


class ReceiptGroupData(TypedDict):
    unit: str | None
    people: list[PersonRefData]


class ReceiptData(TypedDict):
    """A `Receipt` as plain data: built for thousands of members and sent as JSON without a
    pydantic pass (tests/fuzz checks the answers against the `Receipt` schema)."""

    conversation_id: int
    seq: int
    read_count: int
    unread_count: int
    read: list[ReceiptGroupData]
    unread: list[ReceiptGroupData]


class ReceiptCount(BaseModel):
    seq: int
    read_count: int
    unread_count: int


class MessagePage(BaseModel):
    items: list[MessageOut]
    has_more: bool


MAX_ANNOUNCEMENT = 2000


def announcement_text(value: str) -> str:
    """Trimmed; lines kept. Nothing visible in it counts as empty."""
    v = value.strip()
    if not v:
        raise ValueError("must not be empty")
    return v


class AnnouncementIn(BaseModel):
    body: Annotated[str, Field(max_length=MAX_ANNOUNCEMENT), AfterValidator(announcement_text)] = (
        Field(description="The text, at most 2,000 characters; blank is refused.")
    )
    confirm: bool = Field(
        default=False, description='Ask every member to press "confirm read" (确认已读).'
    )


class AnnouncementOut(BaseModel):
    id: int
    conversation_id: int
    body: str
    author: PersonRef | None
    created_at: datetime
    seq: int | None = Field(description="The message that announced it in the chat")
    confirm: bool
    confirmed_at: datetime | None = Field(
        description="When oneself confirmed it; null if not (or not asked to)"
    )
    confirmed_count: int | None = Field(
        description="For its author and the group's admins: members who confirmed; else null"
    )
    pending_count: int | None = Field(
        description="For its author and the group's admins: current members (the author "
        "apart) who have not confirmed; else null"
    )
    can_edit: bool = Field(description="Oneself may post a new one or remove it")


class AnnouncementState(BaseModel):
    """A group's current announcement, or null when it has none."""

    announcement: AnnouncementOut | None
    can_edit: bool


class ConfirmationOut(BaseModel):
    person: PersonRef
    confirmed_at: datetime | None


class InviteOut(BaseModel):
    """A group's QR code / link: `/join/{code}` in the web client."""

    conversation_id: int
    code: str
    expires_at: datetime
    join_mode: JoinMode


class InvitePreview(BaseModel):
    """What the person who scanned a group's code sees before joining."""

    conversation_id: int
    name: str
    avatar_file_id: int | None
    member_count: int
    join_mode: JoinMode
    invited_by: PersonRef | None
    expires_at: datetime
    member: bool = Field(description="Oneself is in the group already")
    requested: bool = Field(description="Oneself asked to join and waits for an admin")


class JoinOut(BaseModel):
    status: Literal["joined", "member", "requested"] = Field(
        description="joined: now a member; member: was one already; requested: an owner or "
        "admin decides"
    )
    conversation_id: int


class JoinRequestOut(BaseModel):
    id: int
    person: PersonRef
    invited_by: PersonRef | None
    created_at: datetime
