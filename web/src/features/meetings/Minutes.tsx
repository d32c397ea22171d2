/** After the meeting, the host writes the minutes; they go into the meeting's group chat. */
import { useState } from "react";
import { App, Button, Card, Input } from "antd";
import { api, call } from "../../api/http";
import { errorText } from "../../app/errors";
import { useT } from "../../i18n";

export function Minutes({ meetingId }: { meetingId: number }) {
  const t = useT();
  const { message } = App.useApp();
  const [text, setText] = useState("");
  const post = async () => {
    try {
      await call(api.POST("/api/v1/meetings/{meeting_id}/minutes", { params: { path: { meeting_id: meetingId } }, body: { text: text.trim() } }));
      setText("");
      void message.success(t("meetings.minutesPosted"));
    } catch (err) {
      void message.error(errorText(err, t));
    }
  };
  return (
    <Card size="small" title={t("meetings.minutes")}>
      <Input.TextArea rows={4} maxLength={5000} value={text} onChange={(e) => setText(e.target.value)} placeholder={t("meetings.minutesPlaceholder")} data-testid="meeting-minutes-text" />
      <Button type="primary" style={{ marginTop: 8 }} disabled={!text.trim()} onClick={() => void post()} data-testid="meeting-minutes-post">
        {t("meetings.postMinutes")}
      </Button>
    </Card>
  );
}
