/**
 * A scheduled meeting's planned time, and for its host a "change time" button: a dialog with the
 * device's own date-time picker (a phone shows its native one). The server's refusal shows in the
 * dialog (422 `meeting_time_past` for a time not ahead, 409 `meeting_not_scheduled` once it
 * started); everyone else sees the new time from `meeting.changed`.
 */
import { useState } from "react";
import { Alert, App, Button, Input, Modal, Space, Typography } from "antd";
import { ClockCircleOutlined } from "@ant-design/icons";
import dayjs from "dayjs";
import { api, call } from "../../api/http";
import { errorText } from "../../app/errors";
import { useT } from "../../i18n";
import { fromLocalInput, mayMove, toLocalInput } from "./move";

type Props = {
  meeting: { id: number; is_host: boolean; state: string; starts_at?: string | null };
  onMoved: () => void;
};

export function MoveMeeting({ meeting, onMoved }: Props) {
  const t = useT();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const when = (iso: string) => dayjs(iso).format("YYYY-MM-DD HH:mm");

  const show = () => {
    setValue(toLocalInput(meeting.starts_at));
    setProblem(null);
    setOpen(true);
  };
  const save = async () => {
    const at = fromLocalInput(value);
    if (!at) return setProblem(t("meetings.movePick"));
    setBusy(true);
    setProblem(null);
    try {
      await call(api.PATCH("/api/v1/meetings/{meeting_id}", { params: { path: { meeting_id: meeting.id } }, body: { starts_at: at } }));
      setOpen(false);
      void message.success(t("meetings.moved", { time: when(at) }));
      onMoved();
    } catch (err) {
      setProblem(errorText(err, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Space wrap>
      {meeting.starts_at && (
        <Typography.Text data-testid="meeting-starts-at">{t("meetings.startsAt", { time: when(meeting.starts_at) })}</Typography.Text>
      )}
      {mayMove(meeting) && (
        <Button icon={<ClockCircleOutlined />} onClick={show} data-testid="meeting-move">
          {t("meetings.move")}
        </Button>
      )}
      <Modal
        open={open}
        title={t("meetings.moveTitle")}
        okText={t("meetings.moveSave")}
        cancelText={t("common.cancel")}
        confirmLoading={busy}
        onOk={() => void save()}
        onCancel={() => setOpen(false)}
        okButtonProps={{ "data-testid": "meeting-move-save" } as never}
        destroyOnHidden
      >
        <Space orientation="vertical" style={{ width: "100%" }}>
          <Input
            type="datetime-local"
            value={value}
            onChange={(e) => setValue(e.target.value)}
            aria-label={t("meetings.when")}
            data-testid="meeting-move-when"
          />
          {problem && <Alert type="error" showIcon title={problem} data-testid="meeting-move-problem" />}
        </Space>
      </Modal>
    </Space>
  );
}
