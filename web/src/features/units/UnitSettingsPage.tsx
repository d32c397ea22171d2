/**
 * A unit's settings (/units/:id/settings), for admins and its heads: time zone, who may DING,
 * the monthly SMS and voice-call quotas, the DING escalation policy, how long health check-in
 * answers are kept and whether heads above the school see names in form statistics. Each setting shows what
 * holds for the unit and where it comes from (this unit, a unit above, the default); 在本组织设置
 * turns this unit's own value on (off: it inherits again). Errors from the server name the
 * field and show under it.
 */
import { useEffect, useMemo, useState } from "react";
import { Alert, App, Button, Card, Checkbox, Form, InputNumber, Result, Select, Space, Spin, Switch, Tag, Typography } from "antd";
import { ArrowLeftOutlined, DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { useNavigate, useParams } from "react-router-dom";
import { useUnit } from "../../api/hooks";
import { RespondersCard } from "../forms/Responders";
import { ApiError } from "../../api/http";
import { errorText } from "../../app/errors";
import { useT } from "../../i18n";
import type { MessageKey } from "../../i18n/locales/zh-CN";
import {
  SETTING_NAMES,
  useSaveUnitSettings,
  useUnitSettings,
  type EscalationChannel,
  type EscalationPolicy,
  type SettingName,
  type UnitSettingsOut,
  type UnitSettingsValues,
} from "./settingsApi";

const ROLES = ["head", "teacher", "staff", "member", "student", "guardian"] as const;
const CHANNELS: EscalationChannel[] = ["app", "sms", "voice"];
const ZONES: string[] = (() => {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  const all = intl.supportedValuesOf?.("timeZone") ?? [];
  return all.length ? all : ["Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Urumqi", "Asia/Tokyo", "Europe/London", "America/New_York", "UTC"];
})();

type Draft = { [K in SettingName]: { on: boolean; value: NonNullable<UnitSettingsValues[K]> } };

function draftOf(s: UnitSettingsOut): Draft {
  const pick = <K extends SettingName>(k: K) => ({
    on: s.own[k] != null,
    value: (s.own[k] ?? s.effective[k] ?? s.defaults[k]) as NonNullable<UnitSettingsValues[K]>,
  });
  return {
    time_zone: pick("time_zone"),
    ding_senders: pick("ding_senders"),
    sms_quota_month: { on: s.own.sms_quota_month != null, value: s.own.sms_quota_month ?? s.effective.sms_quota_month ?? 0 },
    voice_quota_month: { on: s.own.voice_quota_month != null, value: s.own.voice_quota_month ?? s.effective.voice_quota_month ?? 0 },
    form_retention_days: pick("form_retention_days"),
    form_names_above_school: pick("form_names_above_school"),
    ding_escalation: {
      on: s.own.ding_escalation != null,
      value: s.own.ding_escalation ?? s.effective.ding_escalation ?? { after_minutes: 10, channels: ["sms", "voice"] },
    },
  };
}

function shown(t: ReturnType<typeof useT>, name: SettingName, v: UnitSettingsValues[SettingName]): string {
  if (v == null) return name.endsWith("quota_month") ? t("unitSettings.unlimited") : name === "ding_escalation" ? t("unitSettings.noEscalation") : "—";
  if (name === "form_retention_days") return t("unitSettings.days", { n: v as number });
  if (name === "form_names_above_school") return v ? t("unitSettings.namesShown") : t("unitSettings.namesHidden");
  if (name === "ding_senders") return (v as string[]).map((r) => t(`ding.role.${r}` as MessageKey)).join("、");
  if (name === "ding_escalation") {
    const p = v as EscalationPolicy;
    if (p.channels.length === 0) return t("unitSettings.noEscalationHere");
    return t("unitSettings.escalationSummary", { n: p.after_minutes, channels: p.channels.map((c) => t(`unitSettings.channel.${c}` as MessageKey)).join(" → ") });
  }
  return String(v);
}

function Escalation({ value, onChange, disabled, errors }: { value: EscalationPolicy; onChange: (p: EscalationPolicy) => void; disabled: boolean; errors: Record<string, string> }) {
  const t = useT();
  const set = (i: number, c: EscalationChannel) => onChange({ ...value, channels: value.channels.map((x, j) => (j === i ? c : x)) });
  return (
    <Space orientation="vertical" style={{ width: "100%" }} data-testid="settings-escalation-editor">
      <Form.Item
        label={t("unitSettings.afterMinutes")}
        validateStatus={errors["ding_escalation.after_minutes"] ? "error" : undefined}
        help={errors["ding_escalation.after_minutes"]}
        style={{ marginBottom: 8 }}
      >
        <div data-testid="settings-after-minutes">
          <InputNumber
            min={1}
            max={1440}
            value={value.after_minutes}
            disabled={disabled}
            onChange={(n) => onChange({ ...value, after_minutes: typeof n === "number" ? n : 0 })}
            addonAfter={t("unitSettings.minutes")}
          />
        </div>
      </Form.Item>
      <Typography.Text type="secondary">{t("unitSettings.stepsHint")}</Typography.Text>
      {value.channels.map((c, i) => (
        <Space key={i} wrap>
          <Tag>{t("unitSettings.step", { n: i + 1 })}</Tag>
          <Select
            value={c}
            disabled={disabled}
            style={{ width: 160 }}
            onChange={(x: EscalationChannel) => set(i, x)}
            options={CHANNELS.map((x) => ({ value: x, label: t(`unitSettings.channel.${x}` as MessageKey) }))}
            data-testid="settings-step-channel"
          />
          <Button
            icon={<DeleteOutlined />}
            disabled={disabled}
            aria-label={t("common.remove")}
            onClick={() => onChange({ ...value, channels: value.channels.filter((_, j) => j !== i) })}
          />
        </Space>
      ))}
      {value.channels.length === 0 && (
        <Typography.Text data-testid="settings-no-escalation">{t("unitSettings.noEscalationHere")}</Typography.Text>
      )}
      {(errors["ding_escalation.channels"] || errors["ding_escalation"]) && (
        <Typography.Text type="danger">{errors["ding_escalation.channels"] ?? errors["ding_escalation"]}</Typography.Text>
      )}
      <Button
        icon={<PlusOutlined />}
        disabled={disabled || value.channels.length >= 5}
        onClick={() => onChange({ ...value, channels: [...value.channels, "voice"] })}
        data-testid="settings-add-step"
      >
        {t("unitSettings.addStep")}
      </Button>
    </Space>
  );
}

export default function UnitSettingsPage() {
  const t = useT();
  const id = Number(useParams().id);
  const navigate = useNavigate();
  const { message } = App.useApp();
  const unit = useUnit(id);
  const q = useUnitSettings(id);
  const save = useSaveUnitSettings(id);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    if (q.data) setDraft(draftOf(q.data));
  }, [q.data]);
  const zones = useMemo(() => ZONES.map((z) => ({ value: z, label: z })), []);

  if (q.isPending || (q.data && !draft)) return <Spin />;
  if (q.isError) return <Result status="warning" title={errorText(q.error, t)} />;
  const s = q.data;
  const d = draft!;
  const setOne = <K extends SettingName>(k: K, patch: Partial<Draft[K]>) => setDraft({ ...d, [k]: { ...d[k], ...patch } });

  const submit = async () => {
    setErrors({});
    setProblem(null);
    const body: Record<string, unknown> = {};
    for (const k of SETTING_NAMES) body[k] = d[k].on ? d[k].value : null;
    try {
      await save.mutateAsync(body as never);
      void message.success(t("unitSettings.saved"));
    } catch (err) {
      const found: Record<string, string> = {};
      if (err instanceof ApiError) for (const e of err.problem.errors ?? []) if (e.field) found[String(e.field)] = e.message || err.problem.title;
      setErrors(found);
      setProblem(errorText(err, t));
    }
  };

  const source = (k: SettingName) => {
    if (s.own[k] != null) return <Tag color="blue">{t("unitSettings.setHere")}</Tag>;
    const from = s.sources[k];
    return from ? <Tag data-testid={`settings-source-${k}`}>{t("unitSettings.inheritedFrom", { unit: from.unit_name })}</Tag> : <Tag>{t("unitSettings.default")}</Tag>;
  };
  const errorFor = (k: SettingName) => Object.entries(errors).find(([f]) => f === k || f.startsWith(`${k}.`))?.[1];

  const row = (k: SettingName, editor: React.ReactNode) => (
    <Card
      size="small"
      key={k}
      title={t(`unitSettings.name.${k}` as MessageKey)}
      extra={source(k)}
      style={{ marginBottom: 12 }}
      data-testid={`settings-${k}`}
    >
      <Space orientation="vertical" style={{ width: "100%" }}>
        <Typography.Text type="secondary" data-testid={`settings-effective-${k}`}>
          {t("unitSettings.effective")}: {shown(t, k, s.effective[k])}
        </Typography.Text>
        <Switch
          checked={d[k].on}
          onChange={(on) => setOne(k, { on })}
          checkedChildren={t("unitSettings.own")}
          unCheckedChildren={t("unitSettings.inherit")}
          data-testid={`settings-own-${k}`}
        />
        {d[k].on && (
          <Form.Item validateStatus={errorFor(k) && k !== "ding_escalation" ? "error" : undefined} help={k !== "ding_escalation" ? errorFor(k) : undefined} style={{ marginBottom: 0 }}>
            {editor}
          </Form.Item>
        )}
      </Space>
    </Card>
  );

  return (
    <Card
      title={
        <Space>
          <Button type="text" icon={<ArrowLeftOutlined />} aria-label={t("common.back")} onClick={() => navigate(`/units?unit=${id}`)} />
          <span>{t("unitSettings.title", { unit: unit.data?.name ?? "" })}</span>
        </Space>
      }
      data-testid="unit-settings"
    >
      <Typography.Paragraph type="secondary">{t("unitSettings.intro")}</Typography.Paragraph>
      <Form layout="vertical" onFinish={() => void submit()}>
        {row(
          "time_zone",
          <Select showSearch value={d.time_zone.value} options={zones} onChange={(v: string) => setOne("time_zone", { value: v })} style={{ width: "100%", maxWidth: 320 }} data-testid="settings-time-zone" />,
        )}
        {row(
          "ding_senders",
          <Checkbox.Group
            value={d.ding_senders.value}
            onChange={(v) => setOne("ding_senders", { value: v as Draft["ding_senders"]["value"] })}
            options={ROLES.map((r) => ({ value: r, label: t(`ding.role.${r}` as MessageKey) }))}
          />,
        )}
        {row(
          "sms_quota_month",
          <InputNumber min={0} value={d.sms_quota_month.value} onChange={(n) => setOne("sms_quota_month", { value: typeof n === "number" ? n : 0 })} data-testid="settings-sms-quota" />,
        )}
        {row(
          "voice_quota_month",
          <InputNumber min={0} value={d.voice_quota_month.value} onChange={(n) => setOne("voice_quota_month", { value: typeof n === "number" ? n : 0 })} data-testid="settings-voice-quota" />,
        )}
        {row("ding_escalation", <Escalation value={d.ding_escalation.value} onChange={(v) => setOne("ding_escalation", { value: v })} disabled={false} errors={errors} />)}
        {row(
          "form_retention_days",
          <InputNumber
            min={1}
            max={3650}
            value={d.form_retention_days.value}
            onChange={(n) => setOne("form_retention_days", { value: typeof n === "number" ? n : 30 })}
            addonAfter={t("unitSettings.daysUnit")}
            data-testid="settings-retention"
          />,
        )}
        {row(
          "form_names_above_school",
          <Switch
            checked={d.form_names_above_school.value}
            onChange={(on) => setOne("form_names_above_school", { value: on })}
            checkedChildren={t("unitSettings.namesShown")}
            unCheckedChildren={t("unitSettings.namesHidden")}
            data-testid="settings-names-above-school"
          />,
        )}
        {problem && <Alert type="error" showIcon title={problem} style={{ marginBottom: 12 }} data-testid="settings-problem" />}
        <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="settings-save">
          {t("common.save")}
        </Button>
      </Form>
      <div style={{ marginTop: 16 }}>
        <RespondersCard unit={id} />
      </div>
    </Card>
  );
}
