/**
 * Writing a report (/reports/write, /reports/write/:templateId), phone first: the template's
 * questions through forms' own FormView (every field kind, conditions, the server's messages
 * under each question), the period and its deadline, whom it goes to (one's managers by
 * default; people may be added or removed) and copies. The `client_id` is made once per page,
 * so a retry after a dropped answer stores it once.
 */
import { useMemo, useState } from "react";
import { Alert, App, Button, Card, Empty, List, Space, Spin, Tag, Typography } from "antd";
import { HistoryOutlined } from "@ant-design/icons";
import { useNavigate, useParams } from "react-router-dom";
import dayjs from "dayjs";
import { ApiError } from "../../api/http";
import { errorText } from "../../app/errors";
import { useT } from "../../i18n";
import { FormView } from "../forms/FormView";
import { answersToSend, fieldErrors, type Answers } from "../forms/model";
import { PersonSelect } from "../people/PersonSelect";
import { useReportTemplates, useSubmitReport, useWrite } from "./api";
import "../forms/forms.css";
import "./reports.css";

function newId(): string {
  return crypto.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

type Someone = { id: number; name: string };

function People({ label, people, onChange, testId }: { label: string; people: Someone[]; onChange: (p: Someone[]) => void; testId: string }) {
  const t = useT();
  return (
    <div style={{ marginBottom: 12 }} data-testid={testId}>
      <Typography.Text type="secondary">{label}</Typography.Text>
      <div style={{ display: "flex", gap: 4, flexWrap: "wrap", margin: "4px 0" }}>
        {people.map((p) => (
          <Tag key={p.id} closable onClose={() => onChange(people.filter((x) => x.id !== p.id))}>
            {p.name}
          </Tag>
        ))}
      </div>
      <PersonSelect
        value={null}
        placeholder={t("reports.choosePeople")}
        exclude={people.map((p) => p.id)}
        onPick={(p) => onChange([...people, p])}
        data-testid={`${testId}-pick`}
      />
    </div>
  );
}

function Pick() {
  const t = useT();
  const navigate = useNavigate();
  const list = useReportTemplates();
  if (list.isPending) return <Spin />;
  const items = list.data ?? [];
  return (
    <Card className="bw-reports-page" title={t("reports.pickTemplate")}>
      {items.length === 0 ? (
        <Empty description={t("reports.noTemplates")} />
      ) : (
        <List
          dataSource={items}
          renderItem={(tpl) => (
            <List.Item className="bw-reports-item" onClick={() => navigate(`/reports/write/${tpl.id}`)} data-testid={`reports-pick-${tpl.id}`}>
              <List.Item.Meta title={tpl.name} description={`${t(`reports.period.${tpl.period}`)} · ${t("reports.due", { at: tpl.deadline })}`} />
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}

function Write({ id }: { id: number }) {
  const t = useT();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const page = useWrite(id);
  const submit = useSubmitReport();
  const [answers, setAnswers] = useState<Answers>({});
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [to, setTo] = useState<Someone[] | null>(null);
  const [cc, setCc] = useState<Someone[]>([]);
  const clientId = useMemo(newId, []);
  if (page.isPending) return <Spin />;
  if (page.isError || !page.data) return <Alert type="error" title={errorText(page.error, t)} />;
  const w = page.data;
  const fields = w.definition.fields;
  const recipients = to ?? w.to;

  if (w.report_id != null)
    return (
      <Card className="bw-reports-page" title={w.template.name}>
        <Alert type="success" title={t("reports.already")} style={{ marginBottom: 12 }} />
        <Button type="primary" onClick={() => navigate(`/reports/${w.report_id}`)} data-testid="reports-view-mine">
          {t("reports.viewMine")}
        </Button>
      </Card>
    );

  const send = async () => {
    try {
      const out = await submit.mutateAsync({
        client_id: clientId,
        template_id: id,
        version: w.version,
        period: w.period,
        answers: answersToSend(fields, answers),
        to: to == null ? null : to.map((p) => p.id),
        cc: cc.map((p) => p.id),
      });
      void message.success(t("reports.submitted"));
      navigate(`/reports/${out.id}`, { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.code === "form_answers_invalid") {
        const byField = fieldErrors(err.problem.errors as { field?: string; message?: string }[]);
        setErrors(byField);
        const first = Object.keys(byField)[0];
        document.getElementById(`field-${first}`)?.scrollIntoView({ behavior: "smooth", block: "center" });
      } else void message.error(errorText(err, t));
    }
  };

  return (
    <Card
      className="bw-reports-page"
      title={
        <Space wrap>
          <span>{w.template.name}</span>
          <Tag>{w.period}</Tag>
        </Space>
      }
    >
      {w.late ? (
        <Alert type="warning" title={t("reports.dueLate", { at: dayjs(w.deadline_at).format("MM-DD HH:mm") })} style={{ marginBottom: 12 }} />
      ) : (
        <Typography.Paragraph type="secondary">{t("reports.due", { at: dayjs(w.deadline_at).format("MM-DD HH:mm") })}</Typography.Paragraph>
      )}
      {w.previous && (
        <Button icon={<HistoryOutlined />} style={{ marginBottom: 12 }} onClick={() => setAnswers({ ...(w.previous as Answers) })} data-testid="reports-use-last">
          {t("reports.useLast")}
        </Button>
      )}
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
      <People label={t("reports.to")} people={recipients} onChange={setTo} testId="reports-to" />
      <People label={t("reports.ccTo")} people={cc} onChange={setCc} testId="reports-cc" />
      <Button type="primary" size="large" block loading={submit.isPending} onClick={() => void send()} data-testid="reports-submit">
        {t("reports.submit")}
      </Button>
    </Card>
  );
}

export default function WritePage() {
  const raw = useParams().templateId;
  return raw ? <Write id={Number(raw)} /> : <Pick />;
}
