/**
 * A chat-history card (合并转发, a message of kind "history"): its bubble in the conversation,
 * and the drawer that opens it with every message it holds (GET …/messages/{seq}/history).
 * Images and files inside are the card's own copies, readable by the conversation's members.
 */
import type { ReactNode } from "react";
import { Alert, Avatar, Drawer, Empty, Spin, Typography } from "antd";
import { FileTextOutlined } from "@ant-design/icons";
import dayjs from "dayjs";
import { ApiError } from "../../api/http";
import { useT } from "../../i18n";
import { useTn } from "../../i18n/isolate";
import type { TNodes } from "../../i18n/isolate";
import type { TFunction } from "../../i18n";
import { displayName } from "../people/parents";
import { useHistoryCard, type HistoryItem, type Message } from "./api";
import { FileCard, ImageBox } from "./Media";
import { historyPersonNode, historyTitleNode } from "./text";

type Card = NonNullable<Message["card"]>;

/** One line of an item: its text, or what it carries ("[图片]", "[文件] name", "[聊天记录] …"). */
function itemLine(i: HistoryItem, t: TFunction, tn: TNodes): ReactNode {
  if (i.kind === "image") return t("chat.imagePreview");
  if (i.kind === "file") return tn("chat.filePreview", { name: i.file?.name ?? "" });
  if (i.kind === "history") return tn("chat.fwd.cardPreview", { title: i.source ? historyTitleNode(i.source, tn) : "" });
  return <bdi>{i.text ?? ""}</bdi>;
}

function sender(i: HistoryItem, t: TFunction, tn: TNodes): ReactNode {
  return i.sender ? historyPersonNode(i.sender, tn) : t("chat.fwd.system");
}

/** The card's bubble: its title, its first few messages and how many in all. */
export function HistoryBubble({ card, onOpen }: { card: Card; onOpen?: () => void }) {
  const t = useT();
  const tn = useTn();
  return (
    <div
      className="bw-chat-card"
      data-testid="chat-history-card"
      role={onOpen ? "button" : undefined}
      tabIndex={onOpen ? 0 : undefined}
      onClick={onOpen}
      onKeyDown={(e) => {
        if (onOpen && (e.key === "Enter" || e.key === " ")) {
          e.preventDefault();
          onOpen();
        }
      }}
    >
      <div className="bw-chat-card-title" data-testid="chat-history-title">
        {historyTitleNode(card.source, tn)}
      </div>
      <div className="bw-chat-card-lines">
        {card.preview.map((i, n) => (
          <div key={n} className="bw-chat-card-line">
            {sender(i, t, tn)}: {itemLine(i, t, tn)}
          </div>
        ))}
      </div>
      <div className="bw-chat-card-foot">
        <FileTextOutlined /> {t("chat.fwd.cardLabel")} · {t("chat.fwd.count", { n: card.count })}
      </div>
    </div>
  );
}

function ItemContent({ i }: { i: HistoryItem }) {
  const t = useT();
  const tn = useTn();
  if (i.kind === "image" && i.file) return <ImageBox file={i.file} />;
  if (i.kind === "file" && i.file) return <FileCard file={i.file} />;
  if (i.kind === "text") return <span className="bw-chat-card-text">{i.text}</span>;
  return <span className="bw-chat-muted-text">{itemLine(i, t, tn)}</span>;
}

/** Every message of the card, oldest first, in a drawer (the whole screen on a phone). */
export function HistoryDrawer({ conversationId, m, phone, onClose }: { conversationId: number; m: Message; phone: boolean; onClose: () => void }) {
  const t = useT();
  const tn = useTn();
  const q = useHistoryCard(conversationId, m.seq);
  const title = m.card ? historyTitleNode(m.card.source, tn) : t("chat.fwd.cardLabel");
  return (
    <Drawer open onClose={onClose} title={title} size={phone ? "100%" : 440} data-testid="chat-history-drawer">
      {q.isPending && (
        <div className="bw-center" style={{ padding: 24 }}>
          <Spin />
        </div>
      )}
      {q.isError && <Alert type="error" showIcon message={q.error instanceof ApiError ? q.error.problem.title : String(q.error)} />}
      {q.data && q.data.items.length === 0 && <Empty />}
      {q.data?.items.map((i, n) => (
        <div key={n} className="bw-chat-card-item" data-testid="chat-history-item">
          <Avatar size={32} style={{ background: "#87a8d0", flex: "none" }}>
            {i.sender ? displayName(i.sender, t).slice(0, 1) : null}
          </Avatar>
          <div className="bw-chat-card-item-main">
            <div className="bw-chat-card-item-meta">
              <Typography.Text type="secondary" ellipsis>
                {sender(i, t, tn)}
              </Typography.Text>
              <span>{dayjs(i.created_at).format("YYYY-MM-DD HH:mm")}</span>
            </div>
            <ItemContent i={i} />
          </div>
        </div>
      ))}
    </Drawer>
  );
}
