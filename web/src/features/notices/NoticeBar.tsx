/**
 * A notice in a unit group: the bar pinned at the top of the group while notices that reached
 * oneself through its unit are unread (the inbox asked with `unit_id`; it goes when they are
 * read or recalled), and the card a notice's message shows in the chat (kind "notice"). Both
 * open the notice. The bar borrows the group announcement bar's look (chat.css).
 */
import { Tag } from "antd";
import { FileTextOutlined, RightOutlined } from "@ant-design/icons";
import { useNavigate } from "react-router-dom";
import { useT } from "../../i18n";
import type { Message } from "../chat/api";
import { useInbox } from "./api";
import { ImportanceTag } from "./parts";
import "./notices.css";

export function NoticeBar({ unitId }: { unitId: number }) {
  const t = useT();
  const navigate = useNavigate();
  const q = useInbox(true, unitId);
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  const first = items[0];
  if (!first) return null;
  return (
    <div
      className="bw-announce-bar"
      role="button"
      tabIndex={0}
      data-testid="notice-bar"
      onClick={() => navigate(`/notices/${first.id}`)}
      onKeyDown={(e) => (e.key === "Enter" || e.key === " ") && (e.preventDefault(), navigate(`/notices/${first.id}`))}
    >
      <FileTextOutlined className="bw-announce-icon" aria-label={t("notices.title")} />
      <ImportanceTag value={first.importance} />
      <bdi className="bw-announce-text">{first.title}</bdi>
      {items.length > 1 && <Tag color="blue">{t("notices.moreUnread", { n: items.length - 1 })}</Tag>}
      <RightOutlined className="bw-announce-more" />
    </div>
  );
}

export function NoticeCard({ m }: { m: Message }) {
  const t = useT();
  const navigate = useNavigate();
  const id = m.notice?.notice_id;
  return (
    <div className="bw-notice-card" data-testid="chat-notice">
      <div className="bw-notice-card-head">
        <FileTextOutlined /> {t("notices.cardTitle")} {m.notice && <ImportanceTag value={m.notice.importance as "normal"} />}
      </div>
      <bdi>{m.body}</bdi>
      {id != null && (
        <a className="bw-announce-card-open" onClick={() => navigate(`/notices/${id}`)} data-testid="chat-notice-open">
          {t("notices.view")}
        </a>
      )}
    </div>
  );
}
