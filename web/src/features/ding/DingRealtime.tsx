/**
 * Mounted once in the layout: the DINGs one has to confirm, as a full-screen card with a sound
 * that repeats until one presses 确认收到, on every device of the person; and the sender's
 * screens kept live (docs/ding.md).
 *
 * - The cards come from `GET /api/v1/dings/pending` on load and after every `hello` (what
 *   arrived while the socket was away), then from `ding.alert` (a new DING or a reminder).
 * - `ding.confirmed` for oneself (confirmed here or on another device) and `ding.recalled` take
 *   a card away; the sender's detail, list and workbench count refetch on `ding.confirmed`,
 *   `ding.recalled` and `ding.changed`.
 * - While the tab is hidden a new DING also raises a browser notification (when allowed); a
 *   card that goes takes its notification (and its Web Push's) with it. Web Push reaches the
 *   devices where no page is open (docs/push.md).
 */
import { useEffect, useState } from "react";
import { Button, Typography } from "antd";
import { BellFilled } from "@ant-design/icons";
import { useQueryClient } from "@tanstack/react-query";
import dayjs from "dayjs";
import { useMe } from "../../api/hooks";
import { useEvent, useRealtime } from "../../realtime";
import { useT } from "../../i18n";
import { displayName } from "../people/parents";
import { playChime } from "../chat/sound";
import { reportError } from "../../app/errors";
import { closeNotifications, showNotification, usePushSync } from "../push/device";
import { confirmDing, dingKeys, usePendingDings, type DingAlert } from "./api";
import { DingMedia } from "./DingMedia";
import "./ding.css";

const RING_EVERY_MS = 2500;

export function DingRealtime() {
  const t = useT();
  const me = useMe().data?.id;
  useRealtime(); // the socket stays open while someone is logged in (chat holds it too)
  const qc = useQueryClient();
  const pending = usePendingDings(me != null);
  const [ring, setRing] = useState(0);
  const [busy, setBusy] = useState(false);

  const drop = (id: number) => {
    qc.setQueryData<DingAlert[]>(dingKeys.pending, (old) => old?.filter((d) => d.id !== id));
    void closeNotifications(`bw-ding-${id}`).catch(() => undefined); // its push, if any
  };
  usePushSync(me);
  const refreshSender = (id: number) => {
    void qc.invalidateQueries({ queryKey: dingKeys.one(id) });
    void qc.invalidateQueries({ queryKey: dingKeys.sent });
    void qc.invalidateQueries({ queryKey: ["workbench"] });
  };

  useEvent("hello", () => void qc.invalidateQueries({ queryKey: dingKeys.pending }));
  useEvent("ding.alert", (ev) => {
    qc.setQueryData<DingAlert[]>(dingKeys.pending, (old) => [...(old ?? []).filter((d) => d.id !== ev.ding.id), ev.ding]);
    setRing((n) => n + 1);
    if (document.visibilityState === "visible" || typeof Notification === "undefined" || Notification.permission !== "granted") return;
    const sender = ev.ding.sender ? displayName(ev.ding.sender, t) : "";
    // Through the service worker where there is one (Android allows no other kind); the same
    // tag as the DING's Web Push, so the two replace each other.
    void showNotification(t("ding.notifyTitle", { sender }), {
      body: ev.ding.body,
      tag: `bw-ding-${ev.ding.id}`,
      requireInteraction: true,
      data: { url: "/chat", type: "ding" },
    }).catch(() => undefined);
  });
  useEvent("ding.confirmed", (ev) => {
    if (ev.person_id === me) drop(ev.ding_id);
    refreshSender(ev.ding_id);
  });
  useEvent("ding.recalled", (ev) => {
    drop(ev.ding_id);
    refreshSender(ev.ding_id);
  });
  useEvent("ding.changed", (ev) => refreshSender(ev.ding_id));

  const cards = pending.data ?? [];
  const card = cards[0];
  // The sound repeats until the card is confirmed (or recalled); a reminder starts it again.
  useEffect(() => {
    if (!card) return;
    playChime(0.3);
    const timer = setInterval(() => playChime(0.3), RING_EVERY_MS);
    return () => clearInterval(timer);
  }, [card?.id, ring]); // eslint-disable-line react-hooks/exhaustive-deps

  if (!card) return null;
  const confirm = async () => {
    setBusy(true);
    try {
      await confirmDing(card.id);
      drop(card.id);
    } catch (err) {
      reportError(err);
      void qc.invalidateQueries({ queryKey: dingKeys.pending });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="bw-ding-overlay" role="alertdialog" aria-modal="true" aria-labelledby="bw-ding-title" data-testid="ding-alert">
      <div className="bw-ding-card">
        <div className="bw-ding-bell" aria-hidden>
          <BellFilled />
        </div>
        <Typography.Title level={3} id="bw-ding-title" style={{ margin: 0, textAlign: "center" }}>
          {t("ding.alertTitle")}
        </Typography.Title>
        <Typography.Text type="secondary" style={{ textAlign: "center" }} data-testid="ding-alert-from">
          {t("ding.from", { sender: card.sender ? displayName(card.sender, t) : t("common.none") })} ·{" "}
          {dayjs(card.sent_at).format("YYYY-MM-DD HH:mm")}
        </Typography.Text>
        <div className="bw-ding-text" data-testid="ding-alert-text">
          {card.body}
        </div>
        <DingMedia voice={card.voice} attachment={card.attachment} />
        {cards.length > 1 && (
          <Typography.Text type="secondary" style={{ textAlign: "center" }}>
            {t("ding.more", { n: cards.length - 1 })}
          </Typography.Text>
        )}
        <Button type="primary" danger size="large" block loading={busy} onClick={() => void confirm()} data-testid="ding-confirm" autoFocus>
          {t("ding.confirm")}
        </Button>
      </div>
    </div>
  );
}
