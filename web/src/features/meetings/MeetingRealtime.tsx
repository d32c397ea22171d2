/**
 * Mounted once in the layout: a scheduled meeting's reminder (`meeting.starting`, 5 minutes
 * before and at its start; docs/meetings.md, "Reminders") shows a card with a button that opens
 * the meeting. While the tab is hidden it also raises a browser notification (when allowed),
 * with the tag of the reminder's Web Push so that one replaces the other.
 */
import { App, Button } from "antd";
import { VideoCameraOutlined } from "@ant-design/icons";
import { useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router-dom";
import { useEvent } from "../../realtime";
import { useT } from "../../i18n";
import { showNotification } from "../push/device";

export function MeetingRealtime() {
  const t = useT();
  const { notification } = App.useApp();
  const navigate = useNavigate();
  const qc = useQueryClient();
  useEvent("meeting.starting", (ev) => {
    void qc.invalidateQueries({ queryKey: ["meetings"] });
    const key = `bw-meeting-${ev.meeting_id}`;
    const title = ev.minutes ? t("meetings.reminderSoon", { minutes: ev.minutes }) : t("meetings.reminderNow");
    const open = () => {
      notification.destroy(key);
      navigate(`/meetings/${ev.meeting_id}`);
    };
    notification.info({
      key,
      title,
      description: <bdi>{ev.title}</bdi>,
      icon: <VideoCameraOutlined />,
      duration: 0,
      actions: (
        <Button type="primary" size="small" onClick={open} data-testid="meeting-reminder-open">
          {t("meetings.join")}
        </Button>
      ),
      props: { "data-testid": "meeting-reminder" } as Record<string, string>,
    });
    if (document.visibilityState === "visible" || typeof Notification === "undefined" || Notification.permission !== "granted") return;
    void showNotification(title, { body: ev.title, tag: key, data: { url: `/meetings/${ev.meeting_id}`, type: "notice" } }, open).catch(() => undefined);
  });
  return null;
}
