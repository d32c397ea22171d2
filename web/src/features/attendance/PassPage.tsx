/**
 * My health pass (/attendance/pass): a QR code of a signed code that lives 60 s, fetched again
 * every `refresh_seconds` (a screenshot is soon useless), in the colour of the latest health
 * check-in — mine, or my child's (a guardian picks whose). The code is also shown as text for
 * a gate whose camera cannot read it.
 */
import { useEffect, useRef, useState } from "react";
import { Alert, Card, Segmented, Space, Spin, Typography } from "antd";
import QRCode from "qrcode";
import { errorText } from "../../app/errors";
import { useT, type MessageKey } from "../../i18n";
import { PASS_COLOR, usePass, usePassSubjects } from "./api";
import "./attendance.css";

export default function PassPage() {
  const t = useT();
  const subjects = usePassSubjects();
  const [chosen, setChosen] = useState<number | null>(null);
  const subject = chosen ?? (subjects.data && subjects.data.length > 1 ? subjects.data[1].id : null);
  const pass = usePass(subject);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [left, setLeft] = useState(0);
  const p = pass.data;

  useEffect(() => {
    if (!p || !canvas.current) return;
    void QRCode.toCanvas(canvas.current, p.code, {
      errorCorrectionLevel: "M",
      margin: 2,
      width: 240,
      color: { dark: PASS_COLOR[p.colour], light: "#ffffff" },
    });
  }, [p]);

  useEffect(() => {
    if (!p) return;
    const until = pass.dataUpdatedAt + p.refresh_seconds * 1000;
    const tick = () => setLeft(Math.max(0, Math.ceil((until - Date.now()) / 1000)));
    tick();
    const id = window.setInterval(tick, 1000);
    return () => window.clearInterval(id);
  }, [p, pass.dataUpdatedAt]);

  if (subjects.isPending) return <Spin />;
  return (
    <Card className="bw-att-page bw-att-pass" title={t("attendance.pass.title")}>
      <Space direction="vertical" style={{ width: "100%" }}>
        {subjects.data && subjects.data.length > 1 && (
          <Segmented
            aria-label={t("attendance.pass.for")}
            value={subject ?? subjects.data[0].id}
            options={subjects.data.map((s) => ({ value: s.id, label: s.name }))}
            onChange={(v) => setChosen(Number(v))}
            data-testid="attendance-pass-subject"
          />
        )}
        {pass.isError && <Alert type="error" showIcon title={errorText(pass.error, t)} />}
        {!p ? (
          <Spin />
        ) : (
          <div data-testid="attendance-pass" data-colour={p.colour}>
            <div className="bw-att-pass-band" style={{ background: PASS_COLOR[p.colour] }} data-testid="attendance-pass-colour">
              {p.name} · {t(`attendance.pass.${p.colour}` as MessageKey)}
            </div>
            <canvas ref={canvas} aria-label={t("attendance.pass.title")} />
            <div>
              <Typography.Text type="secondary">
                {t(`attendance.pass.reason.${p.reason}` as MessageKey, { day: p.checked_on ?? "" })}
              </Typography.Text>
            </div>
            <div>
              <Typography.Text type="secondary">{t("attendance.pass.refresh", { n: left })}</Typography.Text>
            </div>
            <div style={{ marginTop: 8 }}>
              <Typography.Text type="secondary">{t("attendance.pass.code")}: </Typography.Text>
              <Typography.Text className="bw-att-code" copyable data-testid="attendance-pass-code">{p.code}</Typography.Text>
            </div>
          </div>
        )}
      </Space>
    </Card>
  );
}
