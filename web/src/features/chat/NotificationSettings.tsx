import { useEffect, useState } from "react";
import { Alert, Button, Card, Space, Spin, Switch, TimePicker, Typography } from "antd";
import { BellOutlined, SoundOutlined } from "@ant-design/icons";
import dayjs, { type Dayjs } from "dayjs";
import { ApiError } from "../../api/http";
import { errorText } from "../../app/errors";
import { useT } from "../../i18n";
import { useIsPhone } from "../layout/AppLayout";
import { minutesOf } from "./alerts";
import { usePreferences, useUpdatePreferences, type Preferences } from "./preferences";
import { PushSettings } from "../push/PushSettings";
import { armSound, playChime } from "./sound";
import "./chat.css";

type Permission = NotificationPermission | "unsupported";

function permissionNow(): Permission {
  return typeof Notification === "undefined" ? "unsupported" : Notification.permission;
}

/** The browser's own permission for notifications, which the page can ask for but not set. */
function usePermission(): [Permission, () => void] {
  const [p, set] = useState<Permission>(permissionNow);
  useEffect(() => {
    // The person may change it in the browser's site settings meanwhile.
    const on = () => set(permissionNow());
    window.addEventListener("focus", on);
    return () => window.removeEventListener("focus", on);
  }, []);
  const ask = () => {
    if (typeof Notification === "undefined") return;
    void Notification.requestPermission().then(set, () => set(permissionNow()));
  };
  return [p, ask];
}

const FORMAT = "HH:mm";

function Row({ title, hint, children, testId }: { title: string; hint?: string; children: React.ReactNode; testId?: string }) {
  return (
    <div className="bw-notify-row" data-testid={testId}>
      <div className="bw-notify-text">
        <div>{title}</div>
        {hint && <Typography.Text type="secondary">{hint}</Typography.Text>}
      </div>
      <div className="bw-notify-control">{children}</div>
    </div>
  );
}

/**
 * 新消息通知 (/settings/notifications): desktop notifications, their sound, and a do-not-disturb
 * window. Kept on the server (they follow the person to their other devices); each change is
 * saved at once. The rules they feed are chat/alerts.ts's. Below them, Web Push to this and
 * one's other devices (push/PushSettings.tsx).
 */
export default function NotificationSettings() {
  const t = useT();
  const phone = useIsPhone();
  const prefs = usePreferences();
  const update = useUpdatePreferences();
  const [permission, askPermission] = usePermission();
  useEffect(() => armSound(), []);

  if (prefs.isPending) return <Spin style={{ display: "block", margin: 48 }} />;
  if (prefs.isError) return <Alert type="error" showIcon title={errorText(prefs.error, t)} />;
  const p = prefs.data;
  const save = (change: Partial<Preferences>) => update.mutate(change);
  const pending = (key: keyof Preferences) => update.isPending && update.variables && key in update.variables;
  const fieldError = (field: string) =>
    update.error instanceof ApiError ? update.error.problem.errors?.find((e) => e.field === field) : undefined;
  const time = (v: string) => dayjs(`2000-01-01T${v}`);
  const pick = (field: "dnd_start" | "dnd_end") => (v: Dayjs | null) => {
    if (v) save({ [field]: v.format(FORMAT) });
  };
  const overnight = (minutesOf(p.dnd_end) ?? 0) < (minutesOf(p.dnd_start) ?? 0);

  return (
    <div className="bw-me bw-notify" data-testid="notify-settings">
      <Typography.Title level={4} style={{ margin: phone ? "4px 4px 0" : 0 }}>
        {t("chat.notify.title")}
      </Typography.Title>
      {update.isError && (
        <Alert
          type="error"
          showIcon
          closable
          onClose={() => update.reset()}
          title={errorText(update.error, t)}
          description={update.error instanceof ApiError ? update.error.problem.errors?.map((e) => e.message).filter(Boolean).join(" ") : undefined}
          data-testid="notify-error"
        />
      )}
      <Card size="small">
        <Row title={t("chat.notify.desktop")} hint={t("chat.notify.desktopHint")}>
          <Switch
            checked={p.notifications}
            loading={!!pending("notifications")}
            onChange={(v) => save({ notifications: v })}
            aria-label={t("chat.notify.desktop")}
            data-testid="notify-desktop"
          />
        </Row>
        {p.notifications && permission !== "granted" && (
          <Alert
            style={{ marginTop: 8 }}
            type={permission === "default" ? "info" : "warning"}
            showIcon
            data-testid="notify-permission"
            title={
              permission === "unsupported"
                ? t("chat.notify.unsupported")
                : permission === "denied"
                  ? t("chat.notify.permissionDenied")
                  : t("chat.notify.permissionDefault")
            }
            action={
              permission === "default" && (
                <Button size="small" type="primary" icon={<BellOutlined />} onClick={askPermission} data-testid="notify-ask">
                  {t("chat.notify.permissionAsk")}
                </Button>
              )
            }
          />
        )}
        <Row title={t("chat.notify.sound")} hint={t("chat.notify.soundHint")}>
          <Space>
            <Button size="small" icon={<SoundOutlined />} onClick={() => playChime()} data-testid="notify-try">
              {t("chat.notify.try")}
            </Button>
            <Switch
              checked={p.sound}
              loading={!!pending("sound")}
              onChange={(v) => save({ sound: v })}
              aria-label={t("chat.notify.sound")}
              data-testid="notify-sound"
            />
          </Space>
        </Row>
      </Card>
      <Card size="small">
        <Row title={t("chat.notify.dnd")} hint={t("chat.notify.dndHint")}>
          <Switch checked={p.dnd} loading={!!pending("dnd")} onChange={(v) => save({ dnd: v })} aria-label={t("chat.notify.dnd")} data-testid="notify-dnd" />
        </Row>
        {p.dnd && (
          <div className="bw-notify-window" data-testid="notify-window">
            <label data-testid="notify-from">
              <Typography.Text type="secondary">{t("chat.notify.from")}</Typography.Text>
              <TimePicker
                value={time(p.dnd_start)}
                format={FORMAT}
                minuteStep={5}
                allowClear={false}
                inputReadOnly={phone}
                needConfirm={false}
                status={fieldError("dnd_start") ? "error" : undefined}
                onChange={pick("dnd_start")}
              />
            </label>
            <span className="bw-notify-dash">–</span>
            <label data-testid="notify-to">
              <Typography.Text type="secondary">{t("chat.notify.to")}</Typography.Text>
              <TimePicker
                value={time(p.dnd_end)}
                format={FORMAT}
                minuteStep={5}
                allowClear={false}
                inputReadOnly={phone}
                needConfirm={false}
                status={fieldError("dnd_end") ? "error" : undefined}
                onChange={pick("dnd_end")}
              />
            </label>
            {overnight && (
              <Typography.Text type="secondary" data-testid="notify-next-day">
                {t("chat.notify.nextDay", { time: p.dnd_end })}
              </Typography.Text>
            )}
          </div>
        )}
      </Card>
      <PushSettings />
      <Typography.Paragraph type="secondary" style={{ margin: "0 4px" }}>
        {t("chat.notify.mutedNote")} {t("chat.notify.syncNote")}
      </Typography.Paragraph>
    </div>
  );
}
