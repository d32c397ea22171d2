import { useEffect, useState, type ReactNode } from "react";
import { App, Avatar, Button, Checkbox, Dropdown, Spin, Typography } from "antd";
import {
  EllipsisOutlined,
  ExclamationCircleFilled,
  EyeOutlined,
  FileOutlined,
  FireOutlined,
  NotificationOutlined,
  PictureOutlined,
} from "@ant-design/icons";
import dayjs from "dayjs";
import { useT } from "../../i18n";
import type { Conversation, Message } from "./api";
import type { Pending } from "./pending";
import { useTn } from "../../i18n/isolate";
import { fileSize, previewNode } from "./text";
import { PendingVoice, VoiceBubble } from "./VoiceBubble";
import { displayName } from "../people/parents";
import { HistoryBubble } from "./HistoryCard";
import { NoticeCard } from "../notices/NoticeBar";
import { FormCard } from "../forms/FormCard";
import { ReportCard } from "../reports/ReportCard";
import { ApprovalCard } from "../approvals/ApprovalCard";
import { LessonCard } from "../lessons/LessonCard";
import { MeetingCard } from "../meetings/MeetingCard";
import { CallNote } from "../calls/CallNote";
import { FileCard, ImageBox } from "./Media";
import { photoSrc } from "../people/photo";

const RECALL_WINDOW_MS = 2 * 60_000;

export function canRecall(m: Message, conv: Conversation, me: number, now = Date.now()): boolean {
  if (m.recalled || m.kind === "system" || m.kind === "call") return false;
  if ((conv.kind === "group" || conv.kind === "unit") && conv.my_role !== "member") return true;
  return m.sender?.id === me && now - dayjs(m.created_at).valueOf() < RECALL_WINDOW_MS;
}

/** Whether a message may be forwarded (转发): not in a private chat, not recalled, not a notice,
 * not a voice message (as in DingTalk: a recording stays in the conversation it was said in). */
export function canForward(m: Message, conv: Conversation): boolean {
  return !conv.private && !m.recalled && m.kind !== "system" && m.kind !== "voice" && m.kind !== "form" && m.kind !== "lesson" && m.kind !== "meeting";
  return !conv.private && !m.recalled && m.kind !== "system" && m.kind !== "voice" && m.kind !== "form" && m.kind !== "lesson" && m.kind !== "call";
}

function Countdown({ until }: { until: string }) {
  const t = useT();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const left = Math.max(0, Math.ceil((dayjs(until).valueOf() - now) / 1000));
  return (
    <span className="bw-chat-burn" data-testid="chat-countdown">
      <FireOutlined /> {t("chat.burnIn", { n: left })}
    </span>
  );
}

export interface ItemProps {
  m: Message;
  conv: Conversation;
  me: number;
  showSender: boolean;
  /** The quoted text (reply_preview, or a note that the quoted message was recalled). */
  quote?: string | null;
  onReply: (m: Message) => void;
  onRecall: (m: Message) => void;
  onOpenPrivate: (m: Message) => void;
  onReceipt: (m: Message) => void;
  opening?: boolean;
  /** The text of a message of mine I recalled in this tab, to write again (重新编辑). */
  recalledText?: (m: Message) => string | undefined;
  onReedit?: (text: string) => void;
  /** Opens the group's announcement (a tap on an announcement's card). */
  onAnnouncement?: () => void;
  /** 转发 this message; 多选 starting with it; open a chat-history card. */
  onForward?: (m: Message) => void;
  onSelect?: (m: Message) => void;
  onOpenCard?: (m: Message) => void;
  /** Multi-select mode: the seqs chosen (null: not selecting), and choosing one. */
  selected?: ReadonlySet<number> | null;
  onToggle?: (m: Message) => void;
}

export function MessageItem({ m, conv, me, showSender, quote, onReply, onRecall, onOpenPrivate, onReceipt, opening, recalledText, onReedit, onAnnouncement, onForward, onSelect, onOpenCard, selected, onToggle }: ItemProps) {
  const t = useT();
  const tn = useTn();
  const { message } = App.useApp();
  if (m.kind === "system") {
    return <div className="bw-chat-system">{previewNode(m, tn, me)}</div>;
  }
  const mine = m.sender?.id === me;
  if (m.recalled) {
    const again = mine && onReedit ? recalledText?.(m) : undefined;
    return (
      <div className="bw-chat-system" data-testid="chat-recalled">
        {previewNode(m, tn, me)}
        {again && (
          <a style={{ marginLeft: 8 }} onClick={() => onReedit?.(again)} data-testid="chat-reedit">
            {t("chat.reedit")}
          </a>
        )}
      </div>
    );
  }
  const hiddenPrivate = conv.private && !mine && m.body == null && !m.file && !m.expires_at;
  // A private message with nothing to show whose time is up: burned (its key is gone).
  const burned = conv.private && !hiddenPrivate && m.body == null && !m.file && m.expires_at != null && dayjs(m.expires_at).valueOf() <= Date.now();
  const forwardable = canForward(m, conv) && onForward != null;
  const actions = [
    ...(!hiddenPrivate && !conv.private ? [{ key: "reply", label: t("chat.reply") }] : []),
    ...(forwardable ? [{ key: "forward", label: t("chat.fwd.forward") }] : []),
    ...(m.body && !conv.private && m.kind !== "history" ? [{ key: "copy", label: t("common.copy") }] : []),
    ...(forwardable && onSelect ? [{ key: "select", label: t("chat.fwd.select") }] : []),
    ...(canRecall(m, conv, me) ? [{ key: "recall", label: t("chat.recall"), danger: true }] : []),
  ];
  const selecting = selected != null;
  const onAction = (key: string) => {
    if (key === "forward") onForward?.(m);
    if (key === "select") onSelect?.(m);
    if (key === "reply") onReply(m);
    if (key === "recall") onRecall(m);
    if (key === "copy" && m.body) void navigator.clipboard?.writeText(m.body).then(() => message.success(t("common.copied")));
  };

  let content;
  if (burned) {
    content = (
      <span className="bw-chat-muted-text" data-testid="chat-burned">
        <FireOutlined /> {t("chat.burned")}
      </span>
    );
  } else if (hiddenPrivate) {
    content = (
      <Button
        icon={<EyeOutlined />}
        loading={opening}
        data-testid="chat-open-private"
        onClick={() => onOpenPrivate(m)}
        className="bw-chat-tap"
      >
        {t("chat.tapToView")}
      </Button>
    );
  } else if (m.kind === "image") {
    content = m.file ? <ImageBox file={m.file} /> : <span className="bw-chat-muted-text">{t("chat.imagePreview")}</span>;
  } else if (m.kind === "file") {
    content = m.file ? <FileCard file={m.file} /> : <span className="bw-chat-muted-text">{t("chat.filePreview", { name: "" })}</span>;
  } else if (m.kind === "announcement") {
    content = (
      <div className="bw-announce-card" data-testid="chat-announcement">
        <div className="bw-announce-card-head">
          <NotificationOutlined /> {t("announce.title")}
        </div>
        <LongText text={m.body ?? ""} />
        {onAnnouncement && (
          <a className="bw-announce-card-open" onClick={onAnnouncement} data-testid="chat-announcement-open">
            {t("announce.view")}
          </a>
        )}
      </div>
    );
  } else if (m.kind === "notice") {
    content = <NoticeCard m={m} />;
  } else if (m.kind === "form") {
    content = <FormCard m={m} />;
  } else if (m.kind === "report") {
    content = <ReportCard m={m} />;
  } else if (m.kind === "approval") {
    content = <ApprovalCard m={m} />;
  } else if (m.kind === "lesson") {
    content = <LessonCard m={m} />;
  } else if (m.kind === "meeting") {
    content = <MeetingCard m={m} />;
  } else if (m.kind === "call") {
    content = <CallNote m={m} me={me} peerId={conv.peer?.id ?? null} />;
  } else if (m.kind === "history" && m.card) {
    content = <HistoryBubble card={m.card} onOpen={selecting ? undefined : () => onOpenCard?.(m)} />;
  } else if (m.kind === "voice") {
    content = m.file ? (
      <VoiceBubble fileId={m.file.id} durationMs={m.file.duration_ms ?? 1000} mine={mine} me={me} conversation={m.conversation_id} seq={m.seq} />
    ) : (
      <span className="bw-chat-muted-text">{t("chat.voicePreview")}</span>
    );
  } else {
    content = <LongText text={m.body ?? ""} />;
  }

  const unread = m.unread_count;
  const showReceipt = mine && conv.kind !== "devices";
  const isSelected = selected?.has(m.seq) ?? false;
  return (
    <div
      className={`bw-chat-row${mine ? " bw-chat-row-mine" : ""}${selecting ? " bw-chat-row-selecting" : ""}${isSelected ? " bw-chat-row-selected" : ""}`}
      data-testid="chat-message"
      data-seq={m.seq}
      data-mine={mine ? "1" : "0"}
      onClick={selecting && forwardable ? () => onToggle?.(m) : undefined}
    >
      {selecting && (
        <Checkbox
          className="bw-chat-select"
          checked={isSelected}
          disabled={!forwardable}
          data-testid="chat-select"
          aria-label={t("chat.fwd.select")}
          title={forwardable ? undefined : t("chat.fwd.notHere")}
        />
      )}
      {!mine && (
        m.sender ? (
          <Avatar size={32} src={photoSrc(m.sender.photo_url, 32)} alt="" style={{ background: "#87a8d0", flex: "none" }} data-testid="chat-sender-avatar">
            {displayName(m.sender, t).slice(0, 1)}
          </Avatar>
        ) : (
          // Posted by Bellwork itself (a notice's or a form's card): its own mark, not a blank face.
          <Avatar size={32} icon={<NotificationOutlined />} style={{ background: "#1677ff", flex: "none" }} aria-label="Bellwork" data-testid="chat-system-avatar" />
        )
      )}
      <div className="bw-chat-col">
        {showSender && !mine && (
          <div className="bw-chat-sender">
            <bdi title={m.sender?.parent_of ? m.sender.name : undefined}>{m.sender ? displayName(m.sender, t) : null}</bdi>
          </div>
        )}
        <div className="bw-chat-bubble-line">
          <div className={`bw-chat-bubble${m.kind === "image" && !hiddenPrivate ? " bw-chat-bubble-media" : ""}${m.kind === "history" ? " bw-chat-bubble-card" : ""}${m.kind === "voice" && m.file ? " bw-chat-bubble-voice" : ""}`}>
            {(quote ?? m.reply_preview) && (
              <div className="bw-chat-quote">
                <bdi>{quote ?? m.reply_preview}</bdi>
              </div>
            )}
            {content}
          </div>
          {actions.length > 0 && !selecting && (
            <Dropdown trigger={["click"]} menu={{ items: actions, onClick: (e) => onAction(e.key) }}>
              <Button size="small" type="text" className="bw-chat-more" icon={<EllipsisOutlined />} aria-label={t("chat.actions")} data-testid="chat-message-actions" />
            </Dropdown>
          )}
        </div>
        <div className="bw-chat-meta">
          <span>{dayjs(m.created_at).format("HH:mm")}</span>
          {m.expires_at && <Countdown until={m.expires_at} />}
          {showReceipt && unread != null && (
            <a
              className={unread === 0 ? "bw-chat-read" : "bw-chat-unread"}
              data-testid="chat-receipt"
              onClick={() => conv.kind !== "direct" && onReceipt(m)}
            >
              {conv.kind === "direct"
                ? unread === 0
                  ? t("chat.read")
                  : t("chat.unread")
                : unread === 0
                  ? t("chat.allRead")
                  : t("chat.nUnread", { n: unread })}
            </a>
          )}
        </div>
      </div>
    </div>
  );
}

/** Links a message may carry: http(s) only, ending before trailing punctuation. */
const LINK = /(https?:\/\/[^\s<>"'，。！？、；：（）【】《》]+[^\s<>"'，。！？、；：（）【】《》.,;:!?)\]])/g;

/** A message's text: links clickable, @mentions marked. */
export function renderText(text: string): ReactNode[] {
  return text.split(LINK).flatMap((part, i) =>
    i % 2 === 1 ? (
      <a key={`l${i}`} href={part} target="_blank" rel="noopener noreferrer nofollow" className="bw-chat-link" data-testid="chat-link">
        {part}
      </a>
    ) : (
      renderMentions(part).map((x, j) => (typeof x === "string" ? x : <span key={`m${i}-${j}`}>{x}</span>))
    ),
  );
}

/** Past this many characters or lines a message is folded, with "show more". */
const FOLD_CHARS = 600;
const FOLD_LINES = 12;

function LongText({ text }: { text: string }) {
  const t = useT();
  const long = text.length > FOLD_CHARS || text.split("\n").length > FOLD_LINES;
  const [open, setOpen] = useState(false);
  return (
    <>
      <span className={`bw-chat-text${long && !open ? " bw-chat-folded" : ""}`} data-testid="chat-text">
        {renderText(text)}
      </span>
      {long && (
        <a className="bw-chat-fold" onClick={() => setOpen(!open)} data-testid="chat-fold">
          {open ? t("chat.showLess") : t("chat.showMore")}
        </a>
      )}
    </>
  );
}

function renderMentions(text: string) {
  const parts = text.split(/(@\S+)/g);
  return parts.map((p, i) =>
    p.startsWith("@") ? (
      <bdi key={i} className="bw-chat-mention">
        {p}
      </bdi>
    ) : (
      p
    ),
  );
}

export function PendingItem({ p, onRetry, onDiscard }: { p: Pending; onRetry: () => void; onDiscard: () => void }) {
  const t = useT();
  let content;
  if (p.kind === "image")
    content = p.lost_file ? (
      <span className="bw-chat-text">
        <PictureOutlined /> <bdi>{p.file_name}</bdi>
      </span>
    ) : (
      <ImageBox file={p.file} src={p.previewUrl} />
    );
  else if (p.kind === "file") {
    const name = p.localFile?.name ?? p.file?.name ?? p.file_name;
    const size = p.localFile?.size ?? p.file?.size ?? p.file_size;
    content = name ? <span className="bw-chat-text"><FileOutlined /> <bdi>{name}</bdi>{size != null && ` · ${fileSize(size)}`}</span> : null;
  }
  else if (p.kind === "voice") content = <PendingVoice durationMs={p.duration_ms ?? 1000} />;
  else content = <span className="bw-chat-text">{p.body}</span>;
  return (
    <div className="bw-chat-row bw-chat-row-mine" data-testid="chat-pending" data-status={p.status}>
      <div className="bw-chat-col">
        <div className="bw-chat-bubble-line">
          <div className={`bw-chat-bubble${p.kind === "image" ? " bw-chat-bubble-media" : ""}${p.kind === "voice" ? " bw-chat-bubble-voice" : ""}`}>
            {p.reply_preview && (
              <div className="bw-chat-quote">
                <bdi>{p.reply_preview}</bdi>
              </div>
            )}
            {content}
          </div>
          {p.status === "sending" ? (
            <Spin size="small" />
          ) : (
            <Dropdown
              trigger={["click"]}
              menu={{
                items: [
                  ...(p.final ? [] : [{ key: "retry", label: t("chat.retry") }]),
                  { key: "discard", label: t("chat.discard"), danger: true },
                ],
                onClick: (e) => (e.key === "retry" ? onRetry() : onDiscard()),
              }}
            >
              <ExclamationCircleFilled style={{ color: "#ff4d4f", fontSize: 18, cursor: "pointer" }} data-testid="chat-retry" aria-label={t("chat.retry")} />
            </Dropdown>
          )}
        </div>
        {p.status === "failed" && (
          <Typography.Text type="danger" className="bw-chat-meta" data-testid="chat-send-error">
            {p.lost_file ? t("chat.fileLost") : (p.error ?? t("chat.sendFailed"))}
          </Typography.Text>
        )}
      </div>
    </div>
  );
}
