/** The group chat header's button: an instant meeting for the group's members, opened at once. */
import { App, Button } from "antd";
import { TeamOutlined } from "@ant-design/icons";
import { useNavigate } from "react-router-dom";
import { api, call } from "../../api/http";
import { errorText } from "../../app/errors";
import { useT } from "../../i18n";

export function QuickMeeting({ conversationId, name }: { conversationId: number; name: string }) {
  const t = useT();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const start = async () => {
    try {
      const m = await call(
        api.POST("/api/v1/meetings", {
          body: { title: t("meetings.defaultTitle", { name }).slice(0, 100), conversation_id: conversationId, start_now: true, waiting_room: false, client_id: crypto.randomUUID() },
        }),
      );
      navigate(`/meetings/${m.id}`);
    } catch (err) {
      void message.error(errorText(err, t));
    }
  };
  return <Button type="text" icon={<TeamOutlined />} onClick={() => void start()} aria-label={t("meetings.quick")} title={t("meetings.quick")} data-testid="chat-meeting-new" />;
}
