import { useCallback, useEffect, useRef, useState } from "react";
import { Button, QRCode, Spin, Typography } from "antd";
import { api, call } from "../../api/http";
import { useSignedIn } from "../../api/hooks";
import type { components } from "../../api/schema";
import { useT } from "../../i18n";

type Started = components["schemas"]["QrStarted"];
type State = components["schemas"]["QrPollOut"]["state"];

/**
 * 扫码登录 on the computer: a QR code of /qr/<code> for a signed-in phone to scan and confirm.
 * Polls with the secret only this page knows; once the phone confirms, the poll answers the
 * session and the page is logged in. A code lasts two minutes; then a new one is a click away.
 */
export function QrLogin({ onDone }: { onDone: () => void }) {
  const t = useT();
  const signedIn = useSignedIn();
  const [req, setReq] = useState<Started | null>(null);
  const [state, setState] = useState<State | "failed">("waiting");
  const live = useRef(true);

  const start = useCallback(() => {
    setReq(null);
    setState("waiting");
    call(api.POST("/api/v1/auth/qr")).then(
      (r) => live.current && setReq(r),
      () => live.current && setState("failed"),
    );
  }, []);

  useEffect(() => {
    live.current = true;
    start();
    return () => {
      live.current = false;
    };
  }, [start]);

  useEffect(() => {
    if (!req || (state !== "waiting" && state !== "scanned")) return;
    const timer = setInterval(() => {
      call(api.POST("/api/v1/auth/qr/poll", { body: { secret: req.secret } })).then(
        async (out) => {
          if (!live.current) return;
          if (out.login) {
            await signedIn(out.login.person);
            onDone();
          } else setState(out.state);
        },
        () => {
          /* offline for a moment: the next poll asks again */
        },
      );
    }, req.poll_seconds * 1000);
    return () => clearInterval(timer);
  }, [req, state, signedIn, onDone]);

  const ended = state === "expired" || state === "refused" || state === "used" || state === "failed";
  const url = req ? `${window.location.origin}/qr/${req.code}` : "";
  return (
    <div className="bw-qr-login" data-testid="qr-login" data-state={state} data-url={url}>
      <QRCode
        value={url || "-"}
        size={200}
        status={!req ? "loading" : ended ? "expired" : state === "scanned" ? "scanned" : "active"}
        onRefresh={start}
        statusRender={(info) =>
          info.status === "expired" ? (
            <div style={{ textAlign: "center" }}>
              <Typography.Paragraph style={{ marginBottom: 8 }}>
                {state === "refused" ? t("login.qrRefused") : t("login.qrExpired")}
              </Typography.Paragraph>
              <Button type="primary" onClick={start} data-testid="qr-refresh">
                {t("login.qrRefresh")}
              </Button>
            </div>
          ) : info.status === "scanned" ? (
            <Typography.Text strong>{t("login.qrScanned")}</Typography.Text>
          ) : (
            <Spin />
          )
        }
      />
      <Typography.Text type={state === "scanned" ? "success" : "secondary"} data-testid="qr-status" style={{ textAlign: "center" }}>
        {state === "scanned" ? t("login.qrScanned") : t("login.qrHint")}
      </Typography.Text>
    </div>
  );
}
