/**
 * A template's flow, edited as a person would (docs/approvals.md, "Flows"): steps in order,
 * each with its name (one string, or both languages as forms' labels), who approves (direct manager, the head N levels up, a role in a unit,
 * named people, the class teacher), "all" or "any one", and conditions on the form's answers;
 * the copies, the overdue DING and the yearly leave allowance. Saving makes a new flow version;
 * requests in flight keep theirs.
 */
import { useState } from "react";
import { Button, Card, Input, InputNumber, Select, Space, Tag, Typography } from "antd";
import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { useI18n, useT } from "../../i18n";
import type { MessageKey } from "../../i18n/locales/zh-CN";
import { labelText, type Definition } from "../forms/model";
import { UnitChooser } from "../forms/UnitChooser";
import { LabelInput } from "../forms/QuestionEditor";
import { PersonSelect } from "../people/PersonSelect";
import type { components } from "../../api/schema";

type S = components["schemas"];
export type Flow = S["FlowSpec"];
type Step = S["FlowStep"];
type Rule = S["ApproverRule"];
type Cond = S["FlowCondition"];

const KINDS: Rule["kind"][] = ["manager", "unit_head", "role", "people", "class_teacher"];
const OPS: Cond["op"][] = ["gt", "ge", "lt", "le", "eq", "ne", "in"];
const ROLES = ["head", "staff", "teacher", "member"] as const;

function People({ ids, names, onChange }: { ids: number[]; names: Record<number, string>; onChange: (ids: number[], name?: [number, string]) => void }) {
  const t = useT();
  return (
    <div>
      <div style={{ display: "flex", gap: 4, flexWrap: "wrap", margin: "4px 0" }}>
        {ids.map((id) => (
          <Tag key={id} closable onClose={() => onChange(ids.filter((x) => x !== id))}>
            {names[id] ?? `#${id}`}
          </Tag>
        ))}
      </div>
      <PersonSelect value={null} exclude={ids} placeholder={t("approvals.choosePerson")} onPick={(p) => onChange([...ids, p.id], [p.id, p.name])} />
    </div>
  );
}

function RuleEditor({ rule, onChange, names, addName }: { rule: Rule; onChange: (r: Rule) => void; names: Record<number, string>; addName: (n: [number, string]) => void }) {
  const t = useT();
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      <Select
        style={{ width: "100%" }}
        value={rule.kind}
        onChange={(kind: Rule["kind"]) => onChange({ ...rule, kind })}
        options={KINDS.map((k) => ({ value: k, label: t(`approvals.rule.${k}` as MessageKey) }))}
        data-testid="approvals-rule-kind"
      />
      {rule.kind === "unit_head" && (
        <Space>
          <Typography.Text type="secondary">{t("approvals.rule.levels")}</Typography.Text>
          <InputNumber min={0} max={10} value={rule.levels} onChange={(v) => onChange({ ...rule, levels: v ?? 0 })} />
        </Space>
      )}
      {rule.kind === "role" && (
        <>
          <UnitChooser value={rule.unit_id ?? null} onChange={(id) => onChange({ ...rule, unit_id: id })} />
          <Select
            style={{ width: "100%" }}
            value={rule.role ?? undefined}
            onChange={(role: (typeof ROLES)[number]) => onChange({ ...rule, role })}
            options={ROLES.map((r) => ({ value: r, label: t(`approvals.role.${r}` as MessageKey) }))}
          />
        </>
      )}
      {rule.kind === "people" && (
        <People
          ids={rule.people}
          names={names}
          onChange={(people, n) => {
            if (n) addName(n);
            onChange({ ...rule, people });
          }}
        />
      )}
    </Space>
  );
}

export function FlowEditor({ initial, definition, busy, onSave }: { initial: Flow; definition: Definition; busy: boolean; onSave: (f: Flow) => void }) {
  const t = useT();
  const { locale } = useI18n();
  const [flow, setFlow] = useState<Flow>(initial);
  const [names, setNames] = useState<Record<number, string>>({});
  const addName = ([id, name]: [number, string]) => setNames((n) => ({ ...n, [id]: name }));
  const fields = definition.fields.filter((f) => f.kind !== "section");
  const setStep = (i: number, s: Step) => setFlow((f) => ({ ...f, steps: f.steps.map((x, j) => (j === i ? s : x)) }));
  const ccPeople = flow.cc.flatMap((r) => (r.kind === "people" ? r.people : []));
  const allowance = flow.leave_allowance?.annual;
  return (
    <div data-testid="approvals-flow-editor">
      {flow.steps.map((s, i) => (
        <Card
          key={i}
          size="small"
          style={{ marginBottom: 8 }}
          title={`${i + 1}`}
          extra={
            flow.steps.length > 1 && (
              <Button size="small" icon={<DeleteOutlined />} onClick={() => setFlow((f) => ({ ...f, steps: f.steps.filter((_, j) => j !== i) }))} />
            )
          }
        >
          <Space direction="vertical" style={{ width: "100%" }}>
            {/* Both languages of a bilingual name (the built-ins'), so editing one keeps the other. */}
            <LabelInput value={s.name} placeholder={t("approvals.rule.stepName")} onChange={(name) => setStep(i, { ...s, name: name ?? "" })} testId={`approvals-step-name-${i}`} />
            <RuleEditor rule={s.approvers} onChange={(approvers) => setStep(i, { ...s, approvers })} names={names} addName={addName} />
            <Select
              style={{ width: "100%" }}
              value={s.mode}
              onChange={(mode: Step["mode"]) => setStep(i, { ...s, mode })}
              options={[
                { value: "any", label: t("approvals.step.any") },
                { value: "all", label: t("approvals.step.all") },
              ]}
            />
            <Typography.Text type="secondary">{t("approvals.rule.when")}</Typography.Text>
            {s.when.map((c, k) => (
              <Space.Compact key={k} style={{ width: "100%" }}>
                <Select style={{ width: "40%" }} value={c.field} onChange={(field: string) => setStep(i, { ...s, when: s.when.map((x, j) => (j === k ? { ...x, field } : x)) })} options={fields.map((f) => ({ value: f.key, label: labelText(f.label, locale) }))} />
                <Select style={{ width: "25%" }} value={c.op} onChange={(op: Cond["op"]) => setStep(i, { ...s, when: s.when.map((x, j) => (j === k ? { ...x, op } : x)) })} options={OPS.map((o) => ({ value: o, label: t(`approvals.op.${o}` as MessageKey) }))} />
                <Input
                  style={{ width: "25%" }}
                  value={String(c.value)}
                  onChange={(e) => {
                    const raw = e.target.value;
                    const value = raw !== "" && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
                    setStep(i, { ...s, when: s.when.map((x, j) => (j === k ? { ...x, value } : x)) });
                  }}
                />
                <Button icon={<DeleteOutlined />} onClick={() => setStep(i, { ...s, when: s.when.filter((_, j) => j !== k) })} />
              </Space.Compact>
            ))}
            {fields.length > 0 && (
              <Button size="small" icon={<PlusOutlined />} onClick={() => setStep(i, { ...s, when: [...s.when, { field: fields[0].key, op: "gt", value: 0 }] })}>
                {t("approvals.rule.addWhen")}
              </Button>
            )}
          </Space>
        </Card>
      ))}
      <Button
        block
        icon={<PlusOutlined />}
        style={{ marginBottom: 12 }}
        onClick={() => setFlow((f) => ({ ...f, steps: [...f.steps, { name: "", approvers: { kind: "manager", levels: 0, people: [] }, mode: "any", when: [] }] }))}
        data-testid="approvals-step-add"
      >
        {t("approvals.rule.addStep")}
      </Button>
      <Typography.Text type="secondary">{t("approvals.cc")}</Typography.Text>
      <People
        ids={ccPeople}
        names={names}
        onChange={(people, n) => {
          if (n) addName(n);
          setFlow((f) => ({ ...f, cc: [...f.cc.filter((r) => r.kind !== "people"), ...(people.length ? [{ kind: "people" as const, levels: 0, people }] : [])] }));
        }}
      />
      <Space wrap style={{ margin: "12px 0" }}>
        <Typography.Text type="secondary">{t("approvals.rule.overdue")}</Typography.Text>
        <InputNumber min={0} max={720} value={flow.overdue_hours} onChange={(v) => setFlow((f) => ({ ...f, overdue_hours: v ?? 0 }))} />
        {allowance != null && (
          <>
            <Typography.Text type="secondary">{t("approvals.rule.annual")}</Typography.Text>
            <InputNumber min={0} max={366} value={allowance} onChange={(v) => setFlow((f) => ({ ...f, leave_allowance: { ...f.leave_allowance, annual: v ?? 0 } }))} />
          </>
        )}
      </Space>
      <Button type="primary" block loading={busy} onClick={() => onSave(flow)} data-testid="approvals-flow-save">
        {t("approvals.rule.save")}
      </Button>
    </div>
  );
}
