/**
 * 推送到手机和电脑 (in 我 → 通知, /settings/notifications): Web Push on this device (the browser
 * asks for permission, subscribes, the server keeps it), which categories push (one's
 * preferences `push_*`, kept on the server for every device), and the devices that receive
 * pushes, each removable. docs/push.md.
 */
import { useCallback, useEffect, useState } from "react";
import { Alert, Button, Card, List, Popconfirm, Space, Switch, Typography } from "antd";
import { DeleteOutlined, MobileOutlined } from "@ant-design/icons";
import { useQueryClient } from "@tanstack/react-query";
import dayjs from "dayjs";
import { useT, type MessageKey } from "../../i18n";
import { usePreferences, useUpdatePreferences, type Preferences } from "../chat/preferences";
import { devicesKey, useDevices, useRemoveDevice } from "./api";
import { currentSubscription, disablePush, enablePush, pushSupported, THIS_DEVICE, WORKER_ENABLED } from "./device";

type State = "loading" | "on" | "off" | "unsupported";

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

const CATEGORIES: { key: keyof Preferences & `push_${string}`; label: MessageKey; hint?: MessageKey }[] = [
  { key: "push_ding", label: "push.cat.ding", hint: "push.cat.dingHint" },
  { key: "push_notice", label: "push.cat.notice" },
  { key: "push_mention", label: "push.cat.mention" },
  { key: "push_direct", label: "push.cat.direct", hint: "push.cat.directHint" },
];

export function PushSettings() {
  const t = useT();
  const qc = useQueryClient();
  const prefs = usePreferences().data;
  const update = useUpdatePreferences();
  const devices = useDevices();
  const remove = useRemoveDevice();
  const [state, setState] = useState<State>("loading");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Which of the listed devices is this browser (the id the server gave its subscription).
  const [mine, setMine] = useState<string | null>(() => localStorage.getItem(THIS_DEVICE));

  const look = useCallback(async () => {
    if (!pushSupported() || !WORKER_ENABLED) return setState("unsupported");
    const sub = await currentSubscription().catch(() => null);
    setState(sub && Notification.permission === "granted" ? "on" : "off");
  }, []);
  useEffect(() => void look(), [look]);

  const toggle = async (on: boolean) => {
    setBusy(true);
    setError(null);
    try {
      if (on) await enablePush();
      else await disablePush();
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      setError(
        reason === "denied"
          ? t("push.denied")
          : reason === "unsupported"
            ? t("push.unsupported")
            : reason === "no service worker"
              ? t("push.noWorker")
              : t("push.failed", { reason }),
      );
    } finally {
      setBusy(false);
      setMine(localStorage.getItem(THIS_DEVICE));
      await look();
      await qc.invalidateQueries({ queryKey: devicesKey });
    }
  };

  const pending = (key: string) => update.isPending && update.variables && key in update.variables;

  return (
    <>
      <Card size="small" title={t("push.title")} data-testid="push-settings">
        <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>
          {t("push.hint")}
        </Typography.Paragraph>
        <Row title={t("push.thisDevice")} hint={state === "on" ? t("push.on") : state === "off" ? t("push.off") : undefined}>
          <Switch
            checked={state === "on"}
            loading={busy || state === "loading"}
            disabled={state === "unsupported"}
            onChange={(v) => void toggle(v)}
            aria-label={t("push.thisDevice")}
            data-testid="push-this-device"
          />
        </Row>
        {state === "unsupported" && <Alert type="info" showIcon title={t("push.unsupported")} data-testid="push-unsupported" />}
        {error && <Alert type="warning" showIcon closable onClose={() => setError(null)} title={error} data-testid="push-error" />}
      </Card>
      <Card size="small" title={t("push.categories")}>
        {CATEGORIES.map((c) => (
          <Row key={c.key} title={t(c.label)} hint={c.hint ? t(c.hint) : undefined} testId={`push-cat-${c.key}`}>
            <Switch
              checked={prefs ? prefs[c.key] : true}
              loading={!!pending(c.key)}
              onChange={(v) => update.mutate({ [c.key]: v })}
              aria-label={t(c.label)}
              data-testid={`push-${c.key}`}
            />
          </Row>
        ))}
      </Card>
      <Card size="small" title={t("push.devices")} styles={{ body: { padding: 0 } }}>
        <List
          data-testid="push-devices"
          loading={devices.isPending}
          locale={{ emptyText: t("push.noDevices") }}
          dataSource={devices.data?.items ?? []}
          renderItem={(d) => (
            <List.Item
              data-testid="push-device"
              style={{ padding: "8px 16px" }}
              actions={[
                <Popconfirm
                  key="remove"
                  title={t("push.removeConfirm")}
                  okText={t("push.remove")}
                  cancelText={t("common.cancel")}
                  onConfirm={() =>
                    remove.mutateAsync(d.id).then(() => {
                      if (String(d.id) === mine) void disablePush().then(look);
                    })
                  }
                >
                  <Button type="text" danger size="small" icon={<DeleteOutlined />} aria-label={t("push.remove")} data-testid="push-device-remove" />
                </Popconfirm>,
              ]}
            >
              <List.Item.Meta
                avatar={<MobileOutlined style={{ fontSize: 20, color: "#1677ff" }} />}
                title={
                  <Space size={6} wrap>
                    <span data-testid="push-device-label">{d.label || t("push.unknownDevice")}</span>
                    {String(d.id) === mine && <Typography.Text type="success">{t("push.thisOne")}</Typography.Text>}
                  </Space>
                }
                description={
                  d.last_error && d.failed_at
                    ? <Typography.Text type="danger">{t("push.lastError", { error: d.last_error })}</Typography.Text>
                    : d.last_sent_at
                      ? t("push.lastSent", { time: dayjs(d.last_sent_at).format("YYYY-MM-DD HH:mm") })
                      : `${t("push.neverSent")} · ${d.endpoint_host}`
                }
              />
            </List.Item>
          )}
        />
      </Card>
    </>
  );
}
