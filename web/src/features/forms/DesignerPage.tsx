/**
 * The form designer (/forms/templates/:id): add, remove and reorder questions of every kind,
 * edit each, conditional display, abnormal-answer rules, with a live preview (beside the editor
 * on a wide screen, a switch on a phone). Saving a template someone has filled makes a new
 * version (said so); questions from the template above are shown locked; the server's
 * validation messages are listed.
 */
import { useMemo, useState } from "react";
import { Alert, App, Button, Card, Dropdown, Empty, Input, Result, Segmented, Space, Spin, Tag, Typography } from "antd";
import { PlusOutlined, SaveOutlined } from "@ant-design/icons";
import { useParams } from "react-router-dom";
import { ApiError } from "../../api/http";
import { errorText } from "../../app/errors";
import { useT } from "../../i18n";
import type { MessageKey } from "../../i18n/locales/zh-CN";
import { useIsPhone } from "../layout/AppLayout";
import { useSaveTemplate, useTemplate, type TemplateOut } from "./api";
import { FormView } from "./FormView";
import { KINDS, newField, type Answers, type Definition, type FormField, type Rule } from "./model";
import { QuestionEditor, RulesEditor } from "./QuestionEditor";
import "./forms.css";

/** Conditions and rules that name a question no longer there (removed, moved below) go too. */
function tidy(fields: FormField[], rules: Rule[]): Definition {
  const seen = new Set<string>();
  const out = fields.map((f) => {
    const keep = f.show_if && seen.has(f.show_if.field);
    seen.add(f.key);
    if (f.show_if && !keep) {
      const { show_if: _, ...rest } = f;
      return rest as FormField;
    }
    return f;
  });
  const keys = new Set(out.map((f) => f.key));
  return { fields: out, rules: rules.filter((r) => keys.has(r.field)) };
}

function Designer({ template }: { template: TemplateOut }) {
  const t = useT();
  const phone = useIsPhone();
  const { message } = App.useApp();
  const save = useSaveTemplate(template.id);
  const [name, setName] = useState(template.name);
  const [fields, setFields] = useState<FormField[]>(template.definition.fields);
  const [rules, setRules] = useState<Rule[]>(template.definition.rules ?? []);
  const [answers, setAnswers] = useState<Answers>({});
  const [view, setView] = useState<"edit" | "preview">("edit");
  const [problems, setProblems] = useState<string[]>([]);
  const [opened, setOpened] = useState<string | null>(null);
  const locked = useMemo(() => new Set(template.locked_keys), [template.locked_keys]);
  // The rules about the locked questions when the page opened are the template above's.
  const fixedRules = useMemo(
    () => new Set((template.definition.rules ?? []).filter((r) => locked.has(r.field)).map((r) => JSON.stringify(r))),
    [template.definition.rules, locked],
  );
  const readOnly = !template.may_edit;
  const dirty =
    name !== template.name || JSON.stringify({ fields, rules }) !== JSON.stringify({ fields: template.definition.fields, rules: template.definition.rules ?? [] });

  const replace = (i: number, f: FormField) => setFields((fs) => fs.map((x, j) => (j === i ? f : x)));
  const move = (i: number, by: -1 | 1) =>
    setFields((fs) => {
      const j = i + by;
      if (j < 0 || j >= fs.length) return fs;
      const next = [...fs];
      [next[i], next[j]] = [next[j], next[i]];
      return tidy(next, rules).fields;
    });
  const remove = (i: number) => {
    const next = fields.filter((_, j) => j !== i);
    const d = tidy(next, rules);
    setFields(d.fields);
    setRules(d.rules ?? []);
  };
  const add = (kind: FormField["kind"]) => {
    const f = newField(kind, fields, t(`forms.kind.${kind}` as MessageKey), (n) => t("forms.design.option", { n }));
    setFields((fs) => [...fs, f]);
    setOpened(f.key);
  };

  const submit = async () => {
    setProblems([]);
    if (fields.length === 0) {
      setProblems([t("forms.design.noQuestions")]);
      return;
    }
    const before = template.version;
    try {
      const out = await save.mutateAsync({ name: name.trim(), definition: tidy(fields, rules) });
      void message.success(out.version > before ? t("forms.design.savedVersion", { n: out.version }) : t("forms.design.saved"));
      setFields(out.definition.fields);
      setRules(out.definition.rules ?? []);
    } catch (err) {
      if (err instanceof ApiError && err.problem.errors?.length) {
        setProblems([err.problem.title, ...err.problem.errors.map((e) => e.message ?? "").filter(Boolean)]);
      } else setProblems([errorText(err, t)]);
    }
  };

  const editor = (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Card size="small" title={t("forms.design.questions")}>
        <Space orientation="vertical" style={{ width: "100%" }} size={8}>
          {fields.length === 0 && <Empty description={t("forms.design.noQuestions")} />}
          {fields.map((f, i) => (
            <QuestionEditor
              key={f.key}
              field={f}
              earlier={fields.slice(0, i)}
              locked={readOnly || locked.has(f.key)}
              first={i === 0}
              last={i === fields.length - 1}
              initiallyOpen={opened === f.key}
              onChange={(nf) => replace(i, nf)}
              onRemove={() => remove(i)}
              onMove={(by) => move(i, by)}
            />
          ))}
          {!readOnly && (
            <Dropdown
              trigger={["click"]}
              menu={{
                items: KINDS.map((k) => ({ key: k, label: <span data-testid={`design-add-${k}`}>{t(`forms.kind.${k}` as MessageKey)}</span>, onClick: () => add(k) })),
              }}
            >
              <Button icon={<PlusOutlined />} block type="dashed" data-testid="design-add">
                {t("forms.design.addQuestion")}
              </Button>
            </Dropdown>
          )}
        </Space>
      </Card>
      <Card size="small" title={t("forms.design.rules")}>
        <RulesEditor rules={rules} fields={fields} fixed={(r) => fixedRules.has(JSON.stringify(r))} onChange={setRules} disabled={readOnly} />
      </Card>
    </Space>
  );
  const preview = (
    <Card size="small" title={t("forms.design.preview")} className="bw-design-preview" data-testid="design-preview">
      <FormView fields={fields} answers={answers} onAnswer={(k, v) => setAnswers((a) => ({ ...a, [k]: v }))} />
    </Card>
  );

  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }} className="bw-forms-wide" data-testid="designer">
      <Card size="small">
        <Space orientation="vertical" style={{ width: "100%" }}>
          <Space wrap>
            <Typography.Text strong>{t("forms.design.title")}</Typography.Text>
            <Tag>{t("forms.tpl.version", { n: template.version })}</Tag>
            <Tag color="blue">{template.unit_name}</Tag>
            {dirty && <Tag color="orange">{t("forms.design.unsaved")}</Tag>}
          </Space>
          <Input value={name} maxLength={100} disabled={readOnly} onChange={(e) => setName(e.target.value)} addonBefore={t("forms.tpl.name")} data-testid="design-name" />
          {readOnly && <Alert type="info" showIcon title={t("forms.design.readOnly")} />}
          {problems.length > 0 && (
            <Alert
              type="error"
              showIcon
              data-testid="design-problems"
              title={problems[0]}
              description={problems.length > 1 ? <ul style={{ margin: 0, paddingLeft: 18 }}>{problems.slice(1).map((p, i) => <li key={i}>{p}</li>)}</ul> : undefined}
            />
          )}
          {!readOnly && (
            <Button type="primary" icon={<SaveOutlined />} loading={save.isPending} disabled={!dirty || !name.trim()} onClick={() => void submit()} block={phone} data-testid="design-save">
              {t("forms.design.save")}
            </Button>
          )}
          {phone && (
            <Segmented
              block
              value={view}
              onChange={(v) => setView(v as "edit" | "preview")}
              options={[
                { value: "edit", label: t("forms.design.edit") },
                { value: "preview", label: t("forms.design.preview") },
              ]}
            />
          )}
        </Space>
      </Card>
      {phone ? (view === "edit" ? editor : preview) : <div className="bw-design bw-design-split">{editor}{preview}</div>}
    </Space>
  );
}

export default function DesignerPage() {
  const t = useT();
  const id = Number(useParams().id);
  const q = useTemplate(id);
  if (q.isPending) return <Spin style={{ display: "block", margin: 48 }} />;
  if (q.isError) return <Result status="warning" title={errorText(q.error, t)} />;
  return <Designer key={q.data.id} template={q.data} />;
}
