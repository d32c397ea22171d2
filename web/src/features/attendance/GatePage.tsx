/**
 * The gate (/attendance/gate): a guard's phone or tablet reads health passes with its camera
 * (getUserMedia, the back camera; each frame through jsQR) or takes a typed code, and shows the
 * person's photo large (the name's first letter without one), name and colour in a large band,
 * with the attendance entry recorded. A forged, expired or foreign code shows the server's
 * reason (each refusal is in the audit log).
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { Alert, Avatar, Button, Card, Input, Space, Typography } from "antd";
import { CameraOutlined } from "@ant-design/icons";
import jsQR from "jsqr";
import dayjs from "dayjs";
import { errorText } from "../../app/errors";
import { useT, type MessageKey } from "../../i18n";
import { PASS_COLOR, useGate } from "./api";
import "./attendance.css";

const SCAN_EVERY_MS = 200;
const SAME_CODE_PAUSE_MS = 3000;

export default function GatePage() {
  const t = useT();
  const gate = useGate();
  const video = useRef<HTMLVideoElement>(null);
  const stream = useRef<MediaStream | null>(null);
  const lastCode = useRef<{ code: string; at: number } | null>(null);
  const [scanning, setScanning] = useState(false);
  const [cameraError, setCameraError] = useState<string | null>(null);
  const [typed, setTyped] = useState("");
  const { mutate } = gate;

  const verify = useCallback(
    (code: string) => {
      const now = Date.now();
      if (lastCode.current && lastCode.current.code === code && now - lastCode.current.at < SAME_CODE_PAUSE_MS) return;
      lastCode.current = { code, at: now };
      mutate(code);
    },
    [mutate],
  );

  const stop = useCallback(() => {
    stream.current?.getTracks().forEach((tr) => tr.stop());
    stream.current = null;
    setScanning(false);
  }, []);

  const start = async () => {
    setCameraError(null);
    try {
      const s = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      stream.current = s;
      setScanning(true);
    } catch (e) {
      setCameraError(t("attendance.gate.noCamera", { reason: e instanceof Error ? e.message : String(e) }));
    }
  };

  useEffect(() => {
    if (!scanning || !video.current || !stream.current) return;
    const v = video.current;
    v.srcObject = stream.current;
    void v.play().catch(() => {});
    const canvas = document.createElement("canvas");
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    const id = window.setInterval(() => {
      if (!ctx || v.readyState < 2 || !v.videoWidth) return;
      canvas.width = v.videoWidth;
      canvas.height = v.videoHeight;
      ctx.drawImage(v, 0, 0);
      const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const found = jsQR(img.data, img.width, img.height, { inversionAttempts: "dontInvert" });
      if (found?.data) verify(found.data);
    }, SCAN_EVERY_MS);
    return () => window.clearInterval(id);
  }, [scanning, verify]);

  useEffect(() => stop, [stop]);

  const r = gate.data;
  return (
    <Card className="bw-att-page bw-att-gate" title={t("attendance.gate.title")}>
      <Space direction="vertical" style={{ width: "100%" }}>
        {scanning ? (
          <>
            <video ref={video} muted playsInline data-testid="attendance-gate-video" />
            <Button onClick={stop}>{t("attendance.gate.stop")}</Button>
          </>
        ) : (
          <Button type="primary" icon={<CameraOutlined />} onClick={() => void start()} data-testid="attendance-gate-camera">
            {t("attendance.gate.start")}
          </Button>
        )}
        {cameraError && <Alert type="warning" showIcon title={cameraError} />}
        <Space.Compact style={{ width: "100%" }}>
          <Input
            value={typed}
            placeholder={t("attendance.gate.manual")}
            aria-label={t("attendance.gate.manual")}
            maxLength={300}
            onChange={(e) => setTyped(e.target.value)}
            onPressEnter={() => typed.trim() && mutate(typed.trim())}
            data-testid="attendance-gate-input"
          />
          <Button type="primary" disabled={!typed.trim()} loading={gate.isPending} onClick={() => mutate(typed.trim())} data-testid="attendance-gate-verify">
            {t("attendance.gate.verify")}
          </Button>
        </Space.Compact>
        {gate.isError && <Alert type="error" showIcon title={errorText(gate.error, t)} data-testid="attendance-gate-refused" />}
        {gate.isSuccess && r && (
          <div className="bw-att-result" style={{ background: PASS_COLOR[r.colour] }} data-testid="attendance-gate-result" data-colour={r.colour}>
            {/* The photo large, for the guard to compare with the face; the initial without one. */}
            <Avatar
              key={r.photo_url ?? r.subject_id}
              shape={r.photo_url ? "square" : "circle"}
              size={r.photo_url ? 120 : 72}
              src={r.photo_url ?? undefined}
              alt={r.name}
              className={r.photo_url ? "bw-att-photo" : undefined}
              style={{ fontSize: 32 }}
              data-testid="attendance-gate-photo"
              data-photo={r.photo_url ? "yes" : "no"}
            >
              {r.initials}
            </Avatar>
            <div>
              <div className="bw-att-result-name" data-testid="attendance-gate-name">{r.name}</div>
              <div>{r.unit_name}</div>
              <div data-testid="attendance-gate-colour">
                {t(`attendance.pass.${r.colour}` as MessageKey)} · {t(`attendance.pass.reason.${r.reason}` as MessageKey, { day: r.checked_on ?? "" })}
              </div>
              {r.punch && (
                <Typography.Text style={{ color: "#fff" }}>
                  {t("attendance.gate.recorded", {
                    time: dayjs(r.punch.at).format("HH:mm:ss"),
                    kind: t(r.punch.kind === "in" ? "attendance.in" : "attendance.out"),
                  })}
                </Typography.Text>
              )}
            </div>
          </div>
        )}
      </Space>
    </Card>
  );
}
