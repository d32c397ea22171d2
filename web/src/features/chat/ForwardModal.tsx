/**
 * 转发: choose up to 9 conversations (recent ones, or found by name), leave a message if one
 * likes, send. One message, several one by one (逐条转发), or several merged into a chat-history
 * card (合并转发); the server posts them (POST /forward) and the targets hear of them live.
 */
import { useMemo, useState, type ReactNode } from "react";
import { App, Button, Checkbox, Drawer, Empty, Input, Modal, Tag, Typography } from "antd";
import { ApiError } from "../../api/http";
import { useT } from "../../i18n";
import { useTn } from "../../i18n/isolate";
import { useConversations, useForward, type Conversation } from "./api";
import { ConversationAvatar } from "./ConversationList";
import { conversationTitle, conversationTitleNode } from "./text";

export const MAX_TARGETS = 9;
export const MAX_MESSAGES = 100;

export interface ForwardRequest {
  /** The conversation the messages are in, and their seqs. */
  from: number;
  seqs: number[];
  merged: boolean;
  /** One line saying what goes ("[逐条转发] 共 3 条消息", the message's preview). */
  summary: ReactNode;
}

function newId(): string {
  return typeof crypto !== "undefined" && "randomUUID" in crypto ? crypto.randomUUID().replace(/-/g, "") : `${Date.now()}${Math.random()}`.replace(".", "");
}

export function ForwardModal({ req, phone, onClose, onDone }: { req: ForwardRequest; phone: boolean; onClose: () => void; onDone: () => void }) {
  const t = useT();
  const tn = useTn();
  const { message } = App.useApp();
  const list = useConversations();
  const forward = useForward();
  const [q, setQ] = useState("");
  const [chosen, setChosen] = useState<Conversation[]>([]);
  const [note, setNote] = useState("");
  // One id per send: a retry after a lost answer returns the first forward's messages.
  const [clientId] = useState(newId);

  // Private (burn-after-reading) chats cannot receive forwarded messages.
  const candidates = useMemo(() => {
    const all = (list.data ?? []).filter((c) => !c.private);
    const needle = q.trim().toLowerCase();
    return needle ? all.filter((c) => conversationTitle(c, t).toLowerCase().includes(needle)) : all;
  }, [list.data, q, t]);
  const isChosen = (c: Conversation) => chosen.some((x) => x.id === c.id);
  const toggle = (c: Conversation) => {
    if (isChosen(c)) setChosen(chosen.filter((x) => x.id !== c.id));
    else if (chosen.length >= MAX_TARGETS) void message.warning(t("chat.fwd.maxTargets", { n: MAX_TARGETS }));
    else setChosen([...chosen, c]);
  };
  const send = () =>
    forward.mutate(
      {
        client_msg_id: clientId,
        conversation_id: req.from,
        seqs: req.seqs,
        merged: req.merged,
        targets: chosen.map((c) => c.id),
        note: note.trim() || null,
      },
      {
        onSuccess: () => {
          void message.success(t("chat.fwd.done"));
          onDone();
        },
        onError: (e) => void message.error(e instanceof ApiError ? e.problem.title : e.message),
      },
    );

  const body = (
    <div className="bw-fwd" data-testid="forward-picker">
      <div className="bw-fwd-what" data-testid="forward-summary">
        {req.summary}
      </div>
      <Input.Search allowClear value={q} onChange={(e) => setQ(e.target.value)} placeholder={t("chat.fwd.search")} maxLength={100} data-testid="forward-search" />
      {chosen.length > 0 && (
        <div className="bw-fwd-chosen" data-testid="forward-chosen">
          {chosen.map((c) => (
            <Tag key={c.id} closable onClose={() => toggle(c)}>
              {conversationTitleNode(c, tn)}
            </Tag>
          ))}
        </div>
      )}
      <div className="bw-fwd-head">
        <Typography.Text type="secondary">{q.trim() ? t("chat.fwd.search") : t("chat.fwd.recent")}</Typography.Text>
        <Typography.Text type="secondary">{t("chat.fwd.chosen", { n: chosen.length, max: MAX_TARGETS })}</Typography.Text>
      </div>
      <div className="bw-fwd-list">
        {candidates.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("chat.fwd.noMatch")} />}
        {candidates.map((c) => (
          <div key={c.id} className={`bw-fwd-item${isChosen(c) ? " bw-fwd-item-on" : ""}`} onClick={() => toggle(c)} data-testid="forward-target" data-id={c.id}>
            <Checkbox checked={isChosen(c)} />
            <ConversationAvatar c={c} size={32} />
            <span className="bw-fwd-name">{conversationTitleNode(c, tn)}</span>
          </div>
        ))}
      </div>
      <Input.TextArea value={note} onChange={(e) => setNote(e.target.value)} placeholder={t("chat.fwd.note")} autoSize={{ minRows: 1, maxRows: 4 }} maxLength={5000} data-testid="forward-note" />
    </div>
  );
  const footer = (
    <div className="bw-fwd-foot">
      <Button onClick={onClose}>{t("common.cancel")}</Button>
      <Button type="primary" disabled={chosen.length === 0} loading={forward.isPending} onClick={send} data-testid="forward-send">
        {chosen.length ? t("chat.fwd.sendN", { n: chosen.length }) : t("chat.fwd.send")}
      </Button>
    </div>
  );
  if (phone)
    return (
      <Drawer open onClose={onClose} title={t("chat.fwd.pickTitle")} size="100%" footer={footer} data-testid="forward-modal">
        {body}
      </Drawer>
    );
  return (
    <Modal open onCancel={onClose} title={t("chat.fwd.pickTitle")} footer={footer} width={480} data-testid="forward-modal">
      {body}
    </Modal>
  );
}
