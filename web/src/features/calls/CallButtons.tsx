/** 语音通话 / 视频通话 buttons for a person (their card in the directory, a direct chat's header). */
import { Button, Space } from "antd";
import { PhoneOutlined, VideoCameraOutlined } from "@ant-design/icons";
import { useT } from "../../i18n";
import { startCall } from "./store";

export function CallButtons({ personId, compact = false }: { personId: number; compact?: boolean }) {
  const t = useT();
  if (compact) {
    return (
      <>
        <Button type="text" icon={<PhoneOutlined />} onClick={() => startCall(personId, false)} aria-label={t("calls.voice")} title={t("calls.voice")} data-testid="call-voice" />
        <Button type="text" icon={<VideoCameraOutlined />} onClick={() => startCall(personId, true)} aria-label={t("calls.video")} title={t("calls.video")} data-testid="call-video" />
      </>
    );
  }
  return (
    <Space wrap>
      <Button icon={<PhoneOutlined />} onClick={() => startCall(personId, false)} data-testid="call-voice">
        {t("calls.voice")}
      </Button>
      <Button icon={<VideoCameraOutlined />} onClick={() => startCall(personId, true)} data-testid="call-video">
        {t("calls.video")}
      </Button>
    </Space>
  );
}
