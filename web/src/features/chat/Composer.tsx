import { useEffect, useRef, useState } from "react";
import { Button, Mentions, Tooltip } from "antd";
import type { MentionsRef } from "antd/es/mentions";
import { CloseOutlined, PaperClipOutlined, PictureOutlined, SendOutlined } from "@ant-design/icons";
import { useT } from "../../i18n";
import { useMemberSearch, type Conversation, type Member, type Message } from "./api";
import { useDebounced } from "../../lib/useDebounced";
import { getDraft, setDraft } from "./drafts";
import { useTn } from "../../i18n/isolate";
import { previewNode } from "./text";
import { displayName } from "../people/parents";
import { EmojiPicker } from "./EmojiPicker";
import { insertAt } from "./emoji";
import { RecordingBar, useVoiceRecorder, VoiceButton } from "./VoiceRecorder";
import type { MessageKey } from "../../i18n";

export const IMAGE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];
/** The server's limit on a message's text (chat/schemas.py MAX_TEXT). */
export const MAX_TEXT = 5000;

export interface Draft {
  body: string;
  mentions: (number | "all")[];
}

/** Text box with @-completion from the member list, reply quote, and attachment buttons. */
export function Composer({
  conv,
  me,
  members,
  replyTo,
  onCancelReply,
  onSend,
  onFiles,
  onVoice,
  onVoiceError,
  insert = null,
  phone = false,
}: {
  conv: Conversation;
  me: number;
  members: Member[];
  replyTo: Message | null;
  onCancelReply: () => void;
  onSend: (d: Draft) => void;
  onFiles: (files: File[]) => void;
  /** A voice message recorded (its file and length); `onVoiceError` says why one could not be. */
  onVoice: (file: File, durationMs: number) => void;
  onVoiceError: (key: MessageKey) => void;
  /** Text to put in the box (a recalled message written again); `n` makes each a new one. */
  insert?: { text: string; n: number } | null;
  /** A phone has no Shift key to speak of: the hint leaves it out. */
  phone?: boolean;
}) {
  const t = useT();
  const tn = useTn();
  // The unsent text is kept per conversation (not for a private chat).
  const keep = !conv.private;
  const [text, setTextState] = useState(() => (keep ? getDraft(me, conv.id) : ""));
  const setText = (v: string) => {
    setTextState(v);
    if (keep) setDraft(me, conv.id, v);
  };
  const picked = useRef(new Map<string, number | "all">());
  const input = useRef<MentionsRef>(null);
  // A restored draft: the caret goes after it, so typing continues it.
  useEffect(() => {
    const ta = input.current?.textarea;
    if (ta) ta.setSelectionRange(ta.value.length, ta.value.length);
  }, []);
  useEffect(() => {
    if (!insert) return;
    setText(text ? `${text}${text.endsWith("\n") ? "" : "\n"}${insert.text}` : insert.text);
    const ta = input.current?.textarea;
    if (ta) {
      ta.focus();
      requestAnimationFrame(() => ta.setSelectionRange(ta.value.length, ta.value.length));
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [insert]);
  const recorder = useVoiceRecorder(onVoice, onVoiceError);
  const recording = recorder.state === "recording";
  const imageInput = useRef<HTMLInputElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const allLabel = t("chat.mentionAll");
  const canAll = (conv.kind === "group" || conv.kind === "unit") && conv.my_role !== "member";
  const mentionable = conv.kind === "group" || conv.kind === "unit";
  const [search, setSearch] = useState("");
  // Typed after "@": the server matches names, pinyin and initials ("zs" finds 张三) with the
  // directory's keys; nothing typed yet: the first members. At most 50 at a time (a group may
  // have 3,000 members).
  const q = search.trim().toLowerCase();
  const typed = useDebounced(q, 150);
  const found = useMemberSearch(mentionable && typed ? conv.id : null, typed);
  const candidates = q ? (found.data ?? []) : members;
  const options = mentionable
    ? [
        ...(canAll && allLabel.toLowerCase().includes(q) ? [{ value: allLabel, label: `${allLabel} (${conv.member_count})`, key: "all" }] : []),
        ...candidates
          .filter((m) => m.person.id !== me)
          .slice(0, 50)
          // A guardian is mentioned as their child's parent (@王军杰妈妈), as the group knows them.
          .map((m) => ({ value: displayName(m.person, t), label: <bdi>{displayName(m.person, t)}</bdi>, key: String(m.person.id) })),
      ]
    : [];

  const tooLong = text.trim().length > MAX_TEXT;
  const submit = () => {
    const body = text.trim();
    if (!body || body.length > MAX_TEXT) return;
    const mentions: (number | "all")[] = [];
    for (const [name, id] of picked.current) if (body.includes(`@${name}`) && !mentions.includes(id)) mentions.push(id);
    onSend({ body, mentions });
    setText("");
    picked.current.clear();
  };

  /** An emoji goes where the caret is (in place of a selection), and the caret after it. */
  const insertEmoji = (emoji: string) => {
    const ta = input.current?.textarea;
    const at = insertAt(text, ta?.selectionStart ?? text.length, ta?.selectionEnd ?? text.length, emoji);
    setText(at.text);
    if (ta) requestAnimationFrame(() => ta.setSelectionRange(at.caret, at.caret));
  };

  const pick = (input: HTMLInputElement | null) => {
    const files = input?.files ? Array.from(input.files) : [];
    if (files.length) onFiles(files);
    if (input) input.value = "";
  };

  return (
    <div className="bw-chat-composer" data-testid="chat-composer">
      {replyTo && (
        <div className="bw-chat-replying" data-testid="chat-replying">
          <span className="bw-chat-replying-text">
            {tn("chat.replyingTo", { name: replyTo.sender?.name ?? "" })}: {previewNode(replyTo, tn, me)}
          </span>
          <Button size="small" type="text" icon={<CloseOutlined />} onClick={onCancelReply} aria-label={t("common.cancel")} />
        </div>
      )}
      <div className="bw-chat-tools">
        <EmojiPicker onPick={insertEmoji} />
        <Tooltip title={t("chat.sendImage")}>
          <Button type="text" icon={<PictureOutlined />} onClick={() => imageInput.current?.click()} aria-label={t("chat.sendImage")} data-testid="chat-send-image" />
        </Tooltip>
        <Tooltip title={t("chat.sendFile")}>
          <Button type="text" icon={<PaperClipOutlined />} onClick={() => fileInput.current?.click()} aria-label={t("chat.sendFile")} data-testid="chat-send-file" />
        </Tooltip>
        <VoiceButton state={recorder.state} onStart={() => void recorder.start()} />
        <input ref={imageInput} type="file" accept={IMAGE_TYPES.join(",")} multiple hidden data-testid="chat-image-input" onChange={(e) => pick(e.currentTarget)} />
        <input ref={fileInput} type="file" multiple hidden data-testid="chat-file-input" onChange={(e) => pick(e.currentTarget)} />
        <span className="bw-chat-drop-hint">{t("chat.dropHint")}</span>
      </div>
      {recording && <RecordingBar elapsed={recorder.elapsed} onCancel={() => recorder.finish(false)} onSend={() => recorder.finish(true)} />}
      <div className="bw-chat-input-line" hidden={recording}>
        <Mentions
          ref={input}
          data-testid="chat-input"
          value={text}
          onChange={setText}
          autoSize={{ minRows: 1, maxRows: 5 }}
          placeholder={mentionable ? t("chat.inputPlaceholderMention") : phone ? t("chat.inputPlaceholderPhone") : t("chat.inputPlaceholder")}
          options={options}
          status={tooLong ? "error" : undefined}
          onSelect={(opt) => {
            const value = String(opt.value ?? "");
            if (value === allLabel && canAll) picked.current.set(value, "all");
            else {
              const m = [...candidates, ...members].find((x) => displayName(x.person, t) === value && x.person.id !== me);
              if (m) picked.current.set(value, m.person.id);
            }
          }}
          onPressEnter={(e) => {
            if (e.shiftKey || e.nativeEvent.isComposing) return;
            e.preventDefault();
            submit();
          }}
          onSearch={(text) => setSearch(text)}
          filterOption={false}
        />
        <Button type="primary" icon={<SendOutlined />} onClick={submit} disabled={!text.trim() || tooLong} data-testid="chat-send">
          {t("chat.send")}
        </Button>
      </div>
      {text.length > MAX_TEXT - 500 && (
        <div className={`bw-chat-count${tooLong ? " bw-chat-count-over" : ""}`} data-testid="chat-count" role={tooLong ? "alert" : undefined}>
          {tooLong ? t("chat.tooLong", { n: text.trim().length, max: MAX_TEXT }) : `${text.trim().length} / ${MAX_TEXT}`}
        </div>
      )}
    </div>
  );
}
