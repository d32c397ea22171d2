/**
 * 发起收集 (/forms/campaigns/new?unit=ID): a template (the unit's, one from above, or a built-in
 * one, copied into the unit on the way), a name, whom it is about (each student — filled by the
 * student or a guardian — or each person for themself), the units × roles it goes to (the unit
 * picker DING uses), the schedule (once, or daily on chosen weekdays, with opening and deadline
 * times and a first and last day), reminder times and how (in the app or by DING) and whether
 * late submissions are taken. At a bureau: "下发到下属每所学校" — each school below gets its own
 * copy (docs/forms.md, "Down the tree").
 */
import { useRef, useState } from "react";
import { Alert, Button, Card, Checkbox, Form, Input, Radio, Select, Space, Switch } from "antd";
import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { useNavigate } from "react-router-dom";
import dayjs from "dayjs";
import { ApiError } from "../../api/http";
import { errorText } from "../../app/errors";
import { useT } from "../../i18n";
import type { MessageKey } from "../../i18n/locales/zh-CN";
import { useUnit } from "../../api/hooks";
import { UnitTreeSelect } from "../layout/UnitTreeSelect";
import { useBuiltins, useCreateCampaign, useCreateTemplate, useTemplates, type AudienceRole, type CampaignCreate } from "./api";
import { useUnitParam } from "./TemplatesPage";
import "./forms.css";

const ROLES: AudienceRole[] = ["teacher", "staff", "head", "student", "guardian", "member"];
const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];

interface UnitRow {
  key: number;
  unit_id: number | null;
  roles: AudienceRole[];
}

function newId(): string {
  return crypto.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

export default function CampaignNewPage() {
  const t = useT();
  const navigate = useNavigate();
  const [unit] = useUnitParam();
  const templates = useTemplates(unit);
  const builtins = useBuiltins();
  const createTemplate = useCreateTemplate();
  const create = useCreateCampaign();
  const clientId = useRef(newId());
  // A built-in template copied into the unit on a first try is reused by a retry.
  const copied = useRef(new Map<string, number>());

  const [template, setTemplate] = useState<string | undefined>();
  const [name, setName] = useState("");
  const [subject, setSubject] = useState<"student" | "self">("student");
  const [units, setUnits] = useState<UnitRow[]>(() => (unit != null ? [{ key: 1, unit_id: unit, roles: ["teacher", "staff"] }] : []));
  const [kind, setKind] = useState<"daily" | "once">("daily");
  const [weekdays, setWeekdays] = useState<number[]>([1, 2, 3, 4, 5]);
  const [opens, setOpens] = useState("06:00");
  const [deadline, setDeadline] = useState("09:00");
  const [start, setStart] = useState(dayjs().format("YYYY-MM-DD"));
  const [end, setEnd] = useState("");
  const [reminders, setReminders] = useState<string[]>(["08:00"]);
  const [remindBy, setRemindBy] = useState<"app" | "ding">("app");
  const [late, setLate] = useState(true);
  const [handDown, setHandDown] = useState(false);
  const bureau = useUnit(unit).data?.kind === "bureau";
  const [problems, setProblems] = useState<string[]>([]);

  const chosen = units.filter((u) => u.unit_id != null && (subject === "student" || u.roles.length > 0));
  const ready = unit != null && template && name.trim() && chosen.length > 0 && (kind === "once" || weekdays.length > 0) && start;
  const setRow = (key: number, patch: Partial<UnitRow>) => setUnits((rows) => rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));

  const pickTemplate = (v: string) => {
    setTemplate(v);
    if (name.trim()) return;
    const label = v.startsWith("b:")
      ? builtins.data?.find((b) => `b:${b.key}` === v)?.name
      : templates.data?.find((x) => `t:${x.id}` === v)?.name;
    if (label) setName(label);
  };

  const submit = async () => {
    if (!ready || unit == null || !template) return;
    setProblems([]);
    try {
      let templateId: number;
      if (template.startsWith("b:")) {
        const key = template.slice(2);
        const known = copied.current.get(key);
        if (known != null) templateId = known;
        else {
          const b = builtins.data?.find((x) => x.key === key);
          const made = await createTemplate.mutateAsync({ unit_id: unit, name: b?.name ?? key, builtin: key });
          copied.current.set(key, made.id);
          templateId = made.id;
        }
      } else templateId = Number(template.slice(2));
      const body: CampaignCreate = {
        client_id: clientId.current,
        template_id: templateId,
        unit_id: unit,
        name: name.trim(),
        subject,
        units: chosen.map((u) => ({ unit_id: u.unit_id!, roles: subject === "student" ? ["student"] : u.roles })),
        schedule: { kind, weekdays, opens, deadline, start, end: kind === "daily" && end ? end : null },
        reminders: [...new Set(reminders.filter(Boolean))],
        remind_by: remindBy,
        late_allowed: late,
        hand_down: bureau && handDown,
      };
      const c = await create.mutateAsync(body);
      navigate(`/forms/campaigns/${c.id}`, { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.problem.errors?.some((e) => e.message)) {
        setProblems([err.problem.title, ...err.problem.errors.map((e) => e.message ?? "").filter(Boolean)]);
      } else setProblems([errorText(err, t)]);
      // A refused campaign was not made: the next try is a new one.
      if (!(err instanceof ApiError && err.status === 0)) clientId.current = newId();
    }
  };

  const ownOptions = (templates.data ?? []).map((x) => ({ value: `t:${x.id}`, label: `${x.name} · ${x.unit_name}` }));
  const builtinOptions = (builtins.data ?? []).map((b) => ({ value: `b:${b.key}`, label: b.name }));

  return (
    <Card title={t("forms.cmp.new")} className="bw-forms-page" data-testid="forms-campaign-form">
      <Form layout="vertical" onFinish={() => void submit()}>
        <Form.Item label={t("forms.cmp.template")} required>
          <Select
            value={template}
            placeholder={t("forms.cmp.templateHint")}
            loading={templates.isPending || builtins.isPending}
            onChange={pickTemplate}
            options={[
              ...(ownOptions.length ? [{ label: t("forms.cmp.ownTemplates"), options: ownOptions }] : []),
              { label: t("forms.cmp.builtinTemplates"), options: builtinOptions },
            ]}
            data-testid="campaign-template"
          />
        </Form.Item>
        <Form.Item label={t("forms.cmp.name")} required>
          <Input value={name} maxLength={100} placeholder={t("forms.cmp.nameHint")} onChange={(e) => setName(e.target.value)} data-testid="campaign-name" />
        </Form.Item>
        <Form.Item label={t("forms.cmp.subject")}>
          <Radio.Group value={subject} onChange={(e) => setSubject(e.target.value)} data-testid="campaign-subject">
            <Space orientation="vertical">
              <Radio value="student">{t("forms.cmp.subject.student")}</Radio>
              <Radio value="self">{t("forms.cmp.subject.self")}</Radio>
            </Space>
          </Radio.Group>
        </Form.Item>
        <Form.Item label={t("forms.cmp.audience")} extra={subject === "student" ? t("forms.cmp.audienceStudents") : undefined} required>
          <Space orientation="vertical" style={{ width: "100%" }}>
            {units.map((row) => (
              <div key={row.key} className="bw-design-row" data-testid="campaign-unit-row">
                <div style={{ flex: "2 1 180px", minWidth: 0 }}>
                  <UnitTreeSelect value={row.unit_id} placeholder={t("forms.pickUnit")} onChange={(id) => setRow(row.key, { unit_id: id })} />
                </div>
                {subject === "self" && (
                  <Select
                    mode="multiple"
                    style={{ flex: "1 1 160px" }}
                    value={row.roles}
                    placeholder={t("forms.cmp.roles")}
                    onChange={(roles: AudienceRole[]) => setRow(row.key, { roles })}
                    options={ROLES.map((r) => ({ value: r, label: t(`ding.role.${r}` as MessageKey) }))}
                  />
                )}
                <Button icon={<DeleteOutlined />} aria-label={t("common.remove")} onClick={() => setUnits((rows) => rows.filter((r) => r.key !== row.key))} />
              </div>
            ))}
            <Button icon={<PlusOutlined />} onClick={() => setUnits((rows) => [...rows, { key: Date.now(), unit_id: null, roles: ["teacher", "staff"] }])}>
              {t("forms.cmp.addUnit")}
            </Button>
          </Space>
        </Form.Item>
        {bureau && (
          <Form.Item extra={t("forms.down.handDownHint")}>
            <Space>
              <Switch checked={handDown} onChange={setHandDown} data-testid="campaign-hand-down" />
              <span>{t("forms.down.handDown")}</span>
            </Space>
          </Form.Item>
        )}
        <Form.Item label={t("forms.cmp.schedule")}>
          <Space orientation="vertical" style={{ width: "100%" }}>
            <Radio.Group value={kind} onChange={(e) => setKind(e.target.value)} optionType="button" data-testid="campaign-kind">
              <Radio value="daily">{t("forms.cmp.daily")}</Radio>
              <Radio value="once">{t("forms.cmp.once")}</Radio>
            </Radio.Group>
            {kind === "daily" && (
              <Checkbox.Group
                value={weekdays}
                onChange={(v) => setWeekdays((v as number[]).sort())}
                options={WEEKDAYS.map((d) => ({ value: d, label: t(`forms.cmp.weekday.${d}` as MessageKey) }))}
                data-testid="campaign-weekdays"
              />
            )}
            <div className="bw-form-pair">
              <Input type="time" addonBefore={t("forms.cmp.opens")} value={opens} onChange={(e) => setOpens(e.target.value)} data-testid="campaign-opens" />
              <Input type="time" addonBefore={t("forms.cmp.deadline")} value={deadline} onChange={(e) => setDeadline(e.target.value)} data-testid="campaign-deadline" />
            </div>
            <div className="bw-form-pair">
              <Input type="date" addonBefore={t("forms.cmp.start")} value={start} onChange={(e) => setStart(e.target.value)} data-testid="campaign-start" />
              {kind === "daily" && <Input type="date" addonBefore={t("forms.cmp.end")} value={end} onChange={(e) => setEnd(e.target.value)} data-testid="campaign-end" />}
            </div>
          </Space>
        </Form.Item>
        <Form.Item label={t("forms.cmp.reminders")}>
          <Space wrap>
            {reminders.map((r, i) => (
              <Space.Compact key={i}>
                <Input type="time" value={r} style={{ width: 130 }} onChange={(e) => setReminders((rs) => rs.map((x, j) => (j === i ? e.target.value : x)))} />
                <Button icon={<DeleteOutlined />} aria-label={t("common.remove")} onClick={() => setReminders((rs) => rs.filter((_, j) => j !== i))} />
              </Space.Compact>
            ))}
            {reminders.length < 6 && (
              <Button icon={<PlusOutlined />} onClick={() => setReminders((rs) => [...rs, "08:30"])}>
                {t("forms.cmp.addReminder")}
              </Button>
            )}
          </Space>
        </Form.Item>
        <Form.Item label={t("forms.cmp.remindBy")} extra={remindBy === "ding" ? t("forms.cmp.remindByDingHint") : undefined}>
          <Radio.Group value={remindBy} onChange={(e) => setRemindBy(e.target.value)} data-testid="campaign-remind-by">
            <Space orientation="vertical">
              <Radio value="app">{t("forms.remind.byApp")}</Radio>
              <Radio value="ding">{t("forms.remind.byDing")}</Radio>
            </Space>
          </Radio.Group>
        </Form.Item>
        <Form.Item>
          <Space>
            <Switch checked={late} onChange={setLate} data-testid="campaign-late" />
            <span>{t("forms.cmp.lateAllowed")}</span>
          </Space>
        </Form.Item>
        {problems.length > 0 && (
          <Alert
            type="error"
            showIcon
            style={{ marginBottom: 16 }}
            data-testid="campaign-problems"
            title={problems[0]}
            description={problems.length > 1 ? <ul style={{ margin: 0, paddingLeft: 18 }}>{problems.slice(1).map((p, i) => <li key={i}>{p}</li>)}</ul> : undefined}
          />
        )}
        <Button type="primary" htmlType="submit" size="large" block disabled={!ready} loading={create.isPending || createTemplate.isPending} data-testid="campaign-create">
          {t("forms.cmp.create")}
        </Button>
      </Form>
    </Card>
  );
}
