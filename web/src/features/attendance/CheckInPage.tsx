/**
 * Check in and out (/attendance), phone-sized: today's shift and state, one big button that
 * reads the browser's location and punches (an allowed network needs none), the refusal with
 * the distance when outside every allowed place, a field-work note when the rule allows it,
 * today's punches, that today is on approved leave, and the links to my month, my health pass,
 * the gate and the statistics.
 */
import { useState } from "react";
import { Alert, Button, Card, Empty, Input, List, Space, Spin, Tag, Typography } from "antd";
import { Link } from "react-router-dom";
import dayjs from "dayjs";
import { ApiError } from "../../api/http";
import { useMe } from "../../api/hooks";
import { errorText } from "../../app/errors";
import { useT, type MessageKey } from "../../i18n";
import { STATUS_COLOR, usePunch, useToday, type PunchIn, type PunchOut } from "./api";
import "./attendance.css";

function where(p: PunchOut, t: ReturnType<typeof useT>): string {
  if (p.source === "geo") return t("attendance.source.geo", { place: p.place ?? "", distance: p.distance ?? 0 });
  if (p.source === "field") return t("attendance.source.field", { note: p.note ?? "" });
  if (p.source === "correct") return t("attendance.source.correct");
  return t(p.source === "network" ? "attendance.source.network" : "attendance.source.gate");
}

function locate(): Promise<GeolocationPosition> {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) {
      reject(new Error("unsupported"));
      return;
    }
    navigator.geolocation.getCurrentPosition(resolve, reject, { enableHighAccuracy: true, timeout: 10_000, maximumAge: 0 });
  });
}

export default function CheckInPage() {
  const t = useT();
  const today = useToday();
  const me = useMe().data;
  const punch = usePunch();
  const [locating, setLocating] = useState(false);
  const [geoError, setGeoError] = useState<string | null>(null);
  const [note, setNote] = useState("");
  const [last, setLast] = useState<PunchIn | null>(null);
  const guard = !!me && (me.is_admin || me.memberships.some((m) => m.role !== "student" && m.role !== "guardian"));
  const manages = !!me && (me.is_admin || me.managed_unit_ids.length > 0);

  const send = async (withNote: boolean) => {
    setGeoError(null);
    let body: PunchIn = { client_id: crypto.randomUUID() };
    if (withNote && last) {
      body = { ...last, client_id: crypto.randomUUID(), note };
    } else {
      setLocating(true);
      try {
        const pos = await locate();
        body = { ...body, lat: pos.coords.latitude, lng: pos.coords.longitude, accuracy: pos.coords.accuracy };
      } catch (e) {
        // No location: an allowed network may still take the punch.
        setGeoError(t("attendance.noGeo", { reason: e instanceof Error ? e.message : String((e as GeolocationPositionError).message) }));
      } finally {
        setLocating(false);
      }
    }
    setLast(body);
    punch.mutate(body, { onSuccess: () => setNote("") });
  };

  if (today.isPending) return <Spin />;
  if (today.isError) return <Alert type="error" showIcon title={errorText(today.error, t)} />;
  const d = today.data;
  const needsNote = punch.error instanceof ApiError && punch.error.code === "attendance_field_note";
  const links = (
    <div className="bw-att-links">
      <Link to="/attendance/mine"><Button data-testid="attendance-mine">{t("attendance.mine")}</Button></Link>
      <Link to="/attendance/pass"><Button data-testid="attendance-my-pass">{t("attendance.myPass")}</Button></Link>
      <Link to="/approvals/new"><Button data-testid="attendance-correction">{t("attendance.correction")}</Button></Link>
      {guard && <Link to="/attendance/gate"><Button data-testid="attendance-gate-link">{t("attendance.gate")}</Button></Link>}
      {manages && <Link to="/attendance/stats"><Button>{t("attendance.stats")}</Button></Link>}
      {manages && <Link to="/attendance/rules"><Button data-testid="attendance-rules-link">{t("attendance.rules")}</Button></Link>}
    </div>
  );
  if (!d.rule) {
    return (
      <Card className="bw-att-page" title={t("attendance.title")}>
        <Empty description={t("attendance.noRule")} />
        {links}
      </Card>
    );
  }
  const out = d.punches.length > 0;
  return (
    <Card className="bw-att-page" title={t("attendance.title")}>
      <Space direction="vertical" style={{ width: "100%" }}>
        <Space wrap>
          <Typography.Text strong data-testid="attendance-shift">
            {t("attendance.shift", { name: d.rule.name, start: d.rule.start, end: d.rule.end })}
          </Typography.Text>
          <Tag>{t(`attendance.kind.${d.rule.kind}` as MessageKey)}</Tag>
          <Tag color={STATUS_COLOR[d.status]} data-testid="attendance-status">{t(`attendance.status.${d.status}` as MessageKey)}</Tag>
          {d.late_minutes > 0 && <Tag color="orange">{t("attendance.lateBy", { n: d.late_minutes })}</Tag>}
        </Space>
        {!d.working && <Typography.Text type="secondary">{t("attendance.restDay")}</Typography.Text>}
        {d.status === "leave" && <Alert type="info" showIcon title={t("attendance.onLeave")} data-testid="attendance-on-leave" />}
        <div className="bw-att-punch">
          <Button type="primary" shape="circle" loading={locating || punch.isPending} onClick={() => void send(false)} data-testid="attendance-punch">
            {locating ? t("attendance.locating") : t(out ? "attendance.checkOut" : "attendance.checkIn")}
          </Button>
        </div>
        {geoError && <Alert type="warning" showIcon title={geoError} />}
        {punch.isSuccess && (
          <Alert type="success" showIcon title={t("attendance.punched", { time: dayjs(punch.data.at).format("HH:mm") })} data-testid="attendance-punched" />
        )}
        {punch.isError && <Alert type="error" showIcon title={errorText(punch.error, t)} data-testid="attendance-refused" />}
        {needsNote && (
          <Space.Compact style={{ width: "100%" }}>
            <Input
              value={note}
              maxLength={200}
              placeholder={t("attendance.fieldNotePlaceholder")}
              aria-label={t("attendance.fieldNote")}
              onChange={(e) => setNote(e.target.value)}
              data-testid="attendance-note"
            />
            <Button type="primary" disabled={!note.trim()} onClick={() => void send(true)} data-testid="attendance-field">
              {t("attendance.fieldCheckIn")}
            </Button>
          </Space.Compact>
        )}
        <Typography.Text strong>{t("attendance.today")}</Typography.Text>
        {d.punches.length === 0 ? (
          <Typography.Text type="secondary">{t("attendance.none")}</Typography.Text>
        ) : (
          <List
            size="small"
            data-testid="attendance-punches"
            dataSource={d.punches}
            renderItem={(p) => (
              <List.Item>
                <Space wrap>
                  <Tag color={p.kind === "in" ? "blue" : "purple"}>{t(p.kind === "in" ? "attendance.in" : "attendance.out")}</Tag>
                  <Typography.Text>{dayjs(p.at).format("HH:mm")}</Typography.Text>
                  <Typography.Text type="secondary">{where(p, t)}</Typography.Text>
                </Space>
              </List.Item>
            )}
          />
        )}
        {links}
      </Space>
    </Card>
  );
}
