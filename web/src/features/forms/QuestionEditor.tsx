/**
 * The designer's editors: a label in one or both languages, one question of any kind (its
 * label, help, required, options, range, unit, conditional display …), and the abnormal-answer
 * rules. Questions that come from the template above (`locked`) are shown, not edited.
 */
import { useState } from "react";
import { Button, Checkbox, Input, InputNumber, Select, Space, Switch, Tag, Tooltip, Typography } from "antd";
import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, DownOutlined, LockOutlined, PlusOutlined, UpOutlined } from "@ant-design/icons";
import { useI18n, useT } from "../../i18n";
import type { MessageKey } from "../../i18n/locales/zh-CN";
import { CHOICE_KINDS, CHOICE_OPS, isChoice, labelText, NUMERIC_KINDS, NUMERIC_OPS, type FormField, type Label, type Option, type Rule } from "./model";

/** A label as one string, or in both languages once "Add English" is pressed. */
export function LabelInput({ value, onChange, placeholder, disabled, testId }: { value: Label | undefined; onChange: (l: Label | undefined) => void; placeholder?: string; disabled?: boolean; testId?: string }) {
  const t = useT();
  if (value != null && typeof value === "object") {
    const set = (loc: "zh-CN" | "en", text: string) => {
      const next = { ...value, [loc]: text };
      if (!next[loc]) delete next[loc];
      onChange(Object.keys(next).length ? next : undefined);
    };
    return (
      <Space.Compact direction="vertical" style={{ width: "100%" }}>
        <Input addonBefore="中" value={value["zh-CN"] ?? ""} placeholder={placeholder} disabled={disabled} maxLength={500} onChange={(e) => set("zh-CN", e.target.value)} data-testid={testId} />
        <Input addonBefore="EN" value={value.en ?? ""} placeholder={t("forms.design.labelEn")} disabled={disabled} maxLength={500} onChange={(e) => set("en", e.target.value)} />
      </Space.Compact>
    );
  }
  return (
    <Input
      value={value ?? ""}
      placeholder={placeholder}
      disabled={disabled}
      maxLength={500}
      onChange={(e) => onChange(e.target.value || undefined)}
      data-testid={testId}
      suffix={
        !disabled && (
          <a onClick={() => onChange({ "zh-CN": value ?? "", en: "" })} style={{ fontSize: 12 }}>
            {t("forms.design.bilingual")}
          </a>
        )
      }
    />
  );
}

function Options({ options, onChange, disabled }: { options: Option[]; onChange: (o: Option[]) => void; disabled?: boolean }) {
  const t = useT();
  const fresh = () => {
    const used = new Set(options.map((o) => o.value));
    for (let i = options.length + 1; ; i++) if (!used.has(`o${i}`)) return `o${i}`;
  };
  return (
    <Space orientation="vertical" style={{ width: "100%" }} size={6}>
      {options.map((o, i) => (
        <div key={i} className="bw-design-row" data-testid="design-option">
          <div style={{ flex: "3 1 180px" }}>
            <LabelInput value={o.label} disabled={disabled} placeholder={t("forms.design.option", { n: i + 1 })} onChange={(l) => onChange(options.map((x, j) => (j === i ? { ...x, label: l ?? "" } : x)))} />
          </div>
          <Tooltip title={t("forms.design.optionValue")}>
            <Input style={{ flex: "1 1 80px" }} value={o.value} disabled={disabled} maxLength={64} onChange={(e) => onChange(options.map((x, j) => (j === i ? { ...x, value: e.target.value.trim() } : x)))} />
          </Tooltip>
          {!disabled && <Button icon={<DeleteOutlined />} aria-label={t("common.remove")} disabled={options.length <= 1} onClick={() => onChange(options.filter((_, j) => j !== i))} />}
        </div>
      ))}
      {!disabled && (
        <Button size="small" icon={<PlusOutlined />} onClick={() => onChange([...options, { value: fresh(), label: t("forms.design.option", { n: options.length + 1 }) }])}>
          {t("forms.design.addOption")}
        </Button>
      )}
    </Space>
  );
}

interface QuestionProps {
  field: FormField;
  earlier: FormField[];
  locked: boolean;
  first: boolean;
  last: boolean;
  onChange: (f: FormField) => void;
  onRemove: () => void;
  onMove: (by: -1 | 1) => void;
  initiallyOpen?: boolean;
}

function num(v: number | null | undefined): number | undefined {
  return v == null ? undefined : v;
}

export function QuestionEditor({ field, earlier, locked, first, last, onChange, onRemove, onMove, initiallyOpen }: QuestionProps) {
  const t = useT();
  const { locale } = useI18n();
  const [open, setOpen] = useState(!!initiallyOpen);
  const set = (patch: Record<string, unknown>) => {
    const next = { ...field, ...patch } as Record<string, unknown>;
    for (const k of Object.keys(patch)) if (next[k] === undefined) delete next[k];
    onChange(next as unknown as FormField);
  };
  const choices = earlier.filter((f) => CHOICE_KINDS.includes(f.kind)) as Extract<FormField, { options: Option[] }>[];
  const target = field.show_if ? choices.find((f) => f.key === field.show_if!.field) : undefined;
  return (
    <div className={`bw-design-q${locked ? " bw-design-q-locked" : ""}`} data-testid="design-question" data-key={field.key}>
      <div className="bw-design-q-head">
        <Tag color={field.kind === "section" ? "default" : "blue"}>{t(`forms.kind.${field.kind}` as MessageKey)}</Tag>
        <Typography.Text className="bw-design-q-title" ellipsis strong={field.kind === "section"}>
          {field.required && <span className="bw-form-required">*</span>}
          {labelText(field.label, locale) || "—"}
        </Typography.Text>
        {locked && (
          <Tooltip title={t("forms.design.locked")}>
            <LockOutlined data-testid="design-locked" />
          </Tooltip>
        )}
        {!locked && (
          <Space size={0}>
            <Button type="text" size="small" icon={<ArrowUpOutlined />} disabled={first} aria-label={t("forms.design.moveUp")} onClick={() => onMove(-1)} />
            <Button type="text" size="small" icon={<ArrowDownOutlined />} disabled={last} aria-label={t("forms.design.moveDown")} onClick={() => onMove(1)} />
            <Button type="text" size="small" danger icon={<DeleteOutlined />} aria-label={t("common.remove")} onClick={onRemove} data-testid="design-remove" />
          </Space>
        )}
        <Button type="text" size="small" icon={open ? <UpOutlined /> : <DownOutlined />} aria-expanded={open} onClick={() => setOpen(!open)} data-testid="design-toggle" />
      </div>
      {open && (
        <Space orientation="vertical" style={{ width: "100%", marginTop: 10 }} size={10}>
          <LabelInput value={field.label} disabled={locked} placeholder={t("forms.design.label")} onChange={(l) => set({ label: l ?? "" })} testId="design-label" />
          <LabelInput value={field.help} disabled={locked} placeholder={t("forms.design.help")} onChange={(l) => set({ help: l })} />
          {field.kind !== "section" && (
            <Space wrap>
              <Switch size="small" checked={!!field.required} disabled={locked} onChange={(v) => set({ required: v || undefined })} data-testid="design-required" />
              <span>{t("forms.design.required")}</span>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t("forms.design.key")}: <code>{field.key}</code>
              </Typography.Text>
            </Space>
          )}
          {(field.kind === "text" || field.kind === "textarea") && (
            <Space>
              <span>{t("forms.design.maxLength")}</span>
              <InputNumber min={1} max={field.kind === "text" ? 500 : 5000} value={field.max_length} disabled={locked} onChange={(v) => set({ max_length: num(v) })} />
            </Space>
          )}
          {field.kind === "number" && (
            <div className="bw-design-row">
              <InputNumber placeholder={t("forms.design.min")} value={field.min} disabled={locked} onChange={(v) => set({ min: num(v) })} />
              <InputNumber placeholder={t("forms.design.max")} value={field.max} disabled={locked} onChange={(v) => set({ max: num(v) })} />
              <Input placeholder={t("forms.design.unit")} value={field.unit ?? ""} maxLength={16} disabled={locked} onChange={(e) => set({ unit: e.target.value || undefined })} />
              <InputNumber placeholder={t("forms.design.decimals")} min={0} max={6} value={field.decimals} disabled={locked} onChange={(v) => set({ decimals: num(v) })} />
            </div>
          )}
          {isChoice(field) && (
            <>
              <Typography.Text type="secondary">{t("forms.design.options")}</Typography.Text>
              <Options options={field.options} disabled={locked} onChange={(options) => set({ options })} />
            </>
          )}
          {field.kind === "multiple" && (
            <Select
              allowClear
              style={{ width: "100%" }}
              placeholder={t("forms.design.exclusive")}
              value={field.exclusive}
              disabled={locked}
              onChange={(v) => set({ exclusive: v ?? undefined })}
              options={field.options.map((o) => ({ value: o.value, label: labelText(o.label, locale) || o.value }))}
            />
          )}
          {field.kind === "file" && (
            <Space wrap>
              <span>{t("forms.design.maxFiles")}</span>
              <InputNumber min={1} max={9} value={field.max_files} disabled={locked} onChange={(v) => set({ max_files: num(v) })} />
              <Checkbox checked={!!field.images_only} disabled={locked} onChange={(e) => set({ images_only: e.target.checked || undefined })}>
                {t("forms.design.imagesOnly")}
              </Checkbox>
            </Space>
          )}
          {field.kind === "rating" && (
            <Space>
              <span>{t("forms.design.ratingMax")}</span>
              <InputNumber min={2} max={10} value={field.max} disabled={locked} onChange={(v) => set({ max: num(v) })} />
            </Space>
          )}
          <div>
            <Typography.Text type="secondary">{t("forms.design.showIf")}</Typography.Text>
            <div className="bw-design-row" style={{ marginTop: 4 }}>
              <Select
                allowClear
                placeholder={t("forms.design.showIfNone")}
                value={field.show_if?.field}
                disabled={locked || choices.length === 0}
                onChange={(key?: string) => set({ show_if: key ? { field: key, any_of: [] } : undefined })}
                options={choices.map((c) => ({ value: c.key, label: `${t("forms.design.showIfField")} ${labelText(c.label, locale)}` }))}
                data-testid="design-show-if"
              />
              {target && (
                <Select
                  mode="multiple"
                  placeholder={t("forms.design.showIfValues")}
                  value={field.show_if!.any_of.map(String)}
                  disabled={locked}
                  onChange={(vals: string[]) => set({ show_if: { field: target.key, any_of: vals } })}
                  options={target.options.map((o) => ({ value: o.value, label: labelText(o.label, locale) || o.value }))}
                  data-testid="design-show-if-values"
                />
              )}
            </div>
          </div>
        </Space>
      )}
    </div>
  );
}

const OPS_LABEL = (op: string) => `forms.design.op.${op}` as MessageKey;

/** `fixed`: the rules that come from the template above (kept as they are, like its questions). */
export function RulesEditor({ rules, fields, fixed, onChange, disabled }: { rules: Rule[]; fields: FormField[]; fixed: (r: Rule) => boolean; onChange: (r: Rule[]) => void; disabled?: boolean }) {
  const t = useT();
  const { locale } = useI18n();
  const testable = fields.filter((f) => NUMERIC_KINDS.includes(f.kind) || CHOICE_KINDS.includes(f.kind));
  const byKey = new Map(fields.map((f) => [f.key, f]));
  const setRule = (i: number, patch: Partial<Rule>) => onChange(rules.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <Space orientation="vertical" style={{ width: "100%" }} size={10} data-testid="design-rules">
      <Typography.Text type="secondary">{t("forms.design.rulesHint")}</Typography.Text>
      {rules.map((r, i) => {
        const f = byKey.get(r.field);
        const numeric = f ? NUMERIC_KINDS.includes(f.kind) : true;
        const locked = disabled || fixed(r);
        return (
          <div key={i} className="bw-design-q" data-testid="design-rule">
            <div className="bw-design-row">
              <Select
                value={r.field}
                disabled={locked}
                placeholder={t("forms.design.ruleField")}
                onChange={(key: string) => {
                  const nf = byKey.get(key);
                  const isNum = nf ? NUMERIC_KINDS.includes(nf.kind) : true;
                  setRule(i, { field: key, op: isNum ? "gte" : "in", value: isNum ? 0 : [] });
                }}
                options={testable.map((x) => ({ value: x.key, label: labelText(x.label, locale) || x.key }))}
              />
              <Select
                value={r.op}
                disabled={locked}
                onChange={(op) => setRule(i, { op })}
                options={(numeric ? NUMERIC_OPS : CHOICE_OPS).map((op) => ({ value: op, label: t(OPS_LABEL(op)) }))}
              />
              {numeric ? (
                <InputNumber value={typeof r.value === "number" ? r.value : undefined} disabled={locked} step={0.1} onChange={(v) => setRule(i, { value: v ?? 0 })} placeholder={t("forms.design.ruleValue")} />
              ) : (
                <Select
                  mode="multiple"
                  value={Array.isArray(r.value) ? r.value : []}
                  disabled={locked}
                  onChange={(v: string[]) => setRule(i, { value: v })}
                  options={(f && isChoice(f) ? f.options : []).map((o) => ({ value: o.value, label: labelText(o.label, locale) || o.value }))}
                  placeholder={t("forms.design.ruleValue")}
                />
              )}
              {!locked && <Button icon={<DeleteOutlined />} aria-label={t("common.remove")} onClick={() => onChange(rules.filter((_, j) => j !== i))} />}
            </div>
            <div style={{ marginTop: 8 }}>
              <LabelInput value={r.label} disabled={locked} placeholder={t("forms.design.ruleLabel")} onChange={(l) => setRule(i, { label: l ?? "" })} />
            </div>
          </div>
        );
      })}
      {!disabled && testable.length > 0 && (
        <Button
          icon={<PlusOutlined />}
          onClick={() => {
            const f = testable[0];
            const isNum = NUMERIC_KINDS.includes(f.kind);
            onChange([...rules, { field: f.key, op: isNum ? "gte" : "in", value: isNum ? 0 : [], label: "" }]);
          }}
          data-testid="design-add-rule"
        >
          {t("forms.design.addRule")}
        </Button>
      )}
    </Space>
  );
}
