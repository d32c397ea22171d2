/** A meeting's card in its conversation (message kind "meeting"): opens the meeting. */
import { TeamOutlined } from "@ant-design/icons";
import { Link } from "react-router-dom";
import type { components } from "../../api/schema";
import { useT } from "../../i18n";

type Message = components["schemas"]["MessageOut"];

export function MeetingCard({ m }: { m: Message }) {
  const t = useT();
  return (
    <div className="bw-form-card" data-testid="chat-meeting">
      <div className="bw-form-card-head">
        <TeamOutlined /> {t("meetings.card.title")}
      </div>
      <bdi>{m.body}</bdi>
      {m.meeting && (
        <div>
          <Link to={`/meetings/${m.meeting.meeting_id}`} data-testid="chat-meeting-open">{t("meetings.card.open")}</Link>
        </div>
      )}
    </div>
  );
}
