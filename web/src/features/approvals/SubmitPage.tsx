/**
 * Starting a request (/approvals/new, /approvals/new/:templateId), phone first: the template's
 * questions through forms' own FormView (the server's messages under each question), whom it
 * is for (a guardian picks their child for a student leave), the leave balance, and the flow
 * it will go through (only the steps that apply to the answers so far, flow.ts). The
 * `client_id` is made once per page, so a retry stores it once.
 */
import { useMemo, useState } from "react";
import { Alert, App, Button, Card, Empty, List, Select, Spin, Tag, Typography } from "antd";
import { useNavigate, useParams } from "react-router-dom";
import { ApiError } from "../../api/http";
import { errorText } from "../../app/errors";
import { useI18n, useT } from "../../i18n";
import type { MessageKey } from "../../i18n/locales/zh-CN";
import { FormView } from "../forms/FormView";
import { answersToSend, fieldErrors, labelText, type Answers, type Label } from "../forms/model";
import { applying, type FlowCondition } from "./flow";
import { useApprovalTemplates, useSubmitApproval, useSubmitPage } from "./api";
import "../forms/forms.css";
import "./approvals.css";

function newId(): string {
  return crypto.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

type FlowStep = { name: Label; mode: string; when?: FlowCondition[] };

function Pick() {
  const t = useT();
  const navigate = useNavigate();
  const list = useApprovalTemplates();
  if (list.isPending) return <Spin />;
  const items = list.data ?? [];
  return (
    <Card className="bw-approvals-page" title={t("approvals.pickTemplate")}>
      {items.length === 0 ? (
        <Empty description={t("approvals.noTemplates")} />
      ) : (
        <List
          dataSource={items}
          renderItem={(tpl) => (
            <List.Item className="bw-approvals-item" onClick={() => navigate(`/approvals/new/${tpl.id}`)} data-testid={`approvals-pick-${tpl.kind ?? tpl.id}`}>
              <List.Item.Meta title={tpl.name} description={tpl.unit_name} />
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}

/** Errors the server names by field that are not a question's (the last day, the balance). */
function problemsOf(err: ApiError): Record<string, string[]> {
  const named = (err.problem.errors ?? []) as { field?: string; message?: string }[];
  if (err.code === "form_answers_invalid") return fieldErrors(named);
  const out: Record<string, string[]> = {};
  for (const e of named) {
    const key = e.field?.startsWith("answers.") ? e.field.slice(8) : null;
    if (key) out[key] = [err.problem.title ?? err.message];
  }
  return out;
}

function Submit({ id }: { id: number }) {
  const t = useT();
  const { locale } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [subject, setSubject] = useState<number | null>(null);
  const page = useSubmitPage(id, subject);
  const submit = useSubmitApproval();
  const [answers, setAnswers] = useState<Answers>({});
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const clientId = useMemo(newId, []);
  if (page.isPending) return <Spin />;
  if (page.isError || !page.data) return <Alert type="error" title={errorText(page.error, t)} />;
  const p = page.data;
  const fields = p.template.definition.fields;
  // Only the steps these answers would go through (the server's rule, flow.ts), as they change.
  const steps = applying((p.template.flow as { steps: FlowStep[] }).steps, answersToSend(fields, answers));
  const chosen = subject ?? p.subjects[0]?.id ?? null;

  const send = async () => {
    try {
      const out = await submit.mutateAsync({
        client_id: clientId,
        template_id: id,
        version: p.template.version,
        answers: answersToSend(fields, answers),
        subject_id: p.template.kind === "student_leave" ? chosen : null,
      });
      void message.success(t("approvals.submitted"));
      navigate(`/approvals/${out.id}`, { replace: true });
    } catch (err) {
      const byField = err instanceof ApiError ? problemsOf(err) : {};
      if (Object.keys(byField).length) {
        setErrors(byField);
        document.getElementById(`field-${Object.keys(byField)[0]}`)?.scrollIntoView({ behavior: "smooth", block: "center" });
      } else void message.error(errorText(err, t));
    }
  };

  return (
    <Card className="bw-approvals-page" title={<span data-testid="approvals-submit-title">{p.template.name}</span>}>
      {p.template.kind === "student_leave" && (
        <div style={{ marginBottom: 12 }}>
          <Typography.Text type="secondary">{t("approvals.for")}</Typography.Text>
          <Select
            style={{ width: "100%" }}
            size="large"
            value={chosen ?? undefined}
            onChange={(v: number) => setSubject(v)}
            options={p.subjects.map((s) => ({ value: s.id, label: s.name }))}
            data-testid="approvals-subject"
          />
        </div>
      )}
      {p.balance.map((b) => (
        <Alert
          key={b.leave_type}
          type="info"
          style={{ marginBottom: 12 }}
          title={t("approvals.balance", {
            type: t(`approvals.leave.${b.leave_type}` as MessageKey),
            remaining: b.remaining,
            allowance: b.allowance,
          })}
          data-testid={`approvals-balance-${b.leave_type}`}
        />
      ))}
      <FormView
        fields={fields}
        answers={answers}
        errors={errors}
        onAnswer={(key, value) => {
          setAnswers((a) => ({ ...a, [key]: value }));
          setErrors((e) => {
            const { [key]: _gone, ...rest } = e;
            return rest;
          });
        }}
      />
      <div style={{ margin: "8px 0 12px" }} data-testid="approvals-flow-preview">
        <Typography.Text type="secondary">{t("approvals.flow")}: </Typography.Text>
        {steps.map((s, i) => (
          <Tag key={i} data-testid={`approvals-flow-step-${i}`}>
            {labelText(s.name, locale)}
          </Tag>
        ))}
      </div>
      <Button type="primary" size="large" block loading={submit.isPending} onClick={() => void send()} data-testid="approvals-submit">
        {t("approvals.submit")}
      </Button>
    </Card>
  );
}

export default function SubmitPage() {
  const raw = useParams().templateId;
  return raw ? <Submit id={Number(raw)} /> : <Pick />;
}
