/**
 * Filling a form (/forms/fill/:campaignId/:subjectId), phone first.
 *
 * - Shows today's submission when there is one, and lets it be changed until the deadline.
 * - "Use last answers" fills in the last day's answers (`previous`) to check and submit.
 * - A submission carries a `client_id` kept in sessionStorage with the answers it was made for:
 *   sending the same answers again (a retry after the network dropped, even after a reload)
 *   reuses it, so the server stores it once; changed answers get a new one, and a success
 *   forgets it, so a later change is not mistaken for a retry.
 * - A 422 puts each `errors[].message` under its question (`answers.<key>`) and scrolls to the
 *   first; success shows a confirmation (abnormal: the reasons, and that the teacher was told).
 * - Photos upload as they are picked (FileField.tsx). Submitting while one is still uploading
 *   says so and submits once it is done; if one failed, it says so and waits for the filler.
 */
import { useCallback, useEffect, useState } from "react";
import { Alert, Button, Card, Result, Space, Spin, Tag, Typography } from "antd";
import { HistoryOutlined } from "@ant-design/icons";
import { useNavigate, useParams } from "react-router-dom";
import { useQueryClient } from "@tanstack/react-query";
import dayjs from "dayjs";
import { ApiError } from "../../api/http";
import { errorText } from "../../app/errors";
import { useT } from "../../i18n";
import { formKeys, uploadFormFile, useFill, useSubmit, useTodo, type FillOut, type SubmissionOut } from "./api";
import { UploadContext, type Uploader } from "./FileField";
import { FormView } from "./FormView";
import { answersFromServer, answersToSend, carryOver, fieldErrors, uploadsOf, visible, type Answers } from "./model";
import "./forms.css";

function newId(): string {
  return crypto.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/** The client id for sending `body` (see the module's note). */
function clientIdFor(storeKey: string, body: string): string {
  try {
    const kept = JSON.parse(sessionStorage.getItem(storeKey) ?? "null") as { id: string; body: string } | null;
    if (kept && kept.body === body) return kept.id;
  } catch {
    /* unreadable: start again */
  }
  const id = newId();
  try {
    sessionStorage.setItem(storeKey, JSON.stringify({ id, body }));
  } catch {
    /* private mode without storage: the id lives for this attempt only */
  }
  return id;
}

function Done({ result, fill, onEdit }: { result: SubmissionOut; fill: FillOut; onEdit: (() => void) | null }) {
  const t = useT();
  const navigate = useNavigate();
  const changed = result.updated_at != null;
  return (
    <Card data-testid="forms-done">
      <Result
        status={result.abnormal ? "warning" : "success"}
        title={result.abnormal ? t("forms.fill.abnormalTitle") : changed ? t("forms.fill.doneChanged") : t("forms.fill.doneTitle")}
        subTitle={
          <Space orientation="vertical" size={4}>
            <span>
              {fill.name} · {fill.period}
            </span>
            <span>{t("forms.fill.submittedAt", { at: dayjs(result.updated_at ?? result.submitted_at).format("HH:mm:ss") })}</span>
            {result.late && <Tag color="orange">{t("forms.fill.doneLate")}</Tag>}
          </Space>
        }
        extra={[
          <Button key="back" type="primary" size="large" onClick={() => navigate("/forms")} data-testid="forms-done-back">
            {t("forms.fill.backToList")}
          </Button>,
          onEdit && (
            <Button key="edit" size="large" onClick={onEdit} data-testid="forms-done-edit">
              {t("forms.fill.edit")}
            </Button>
          ),
        ]}
      >
        {result.abnormal && (
          <div data-testid="forms-done-abnormal">
            <Space wrap>
              {result.reasons.map((r) => (
                <Tag key={r} color="red">
                  {r}
                </Tag>
              ))}
            </Space>
            <Typography.Paragraph style={{ marginTop: 12, marginBottom: 0 }}>{t("forms.fill.abnormalTold")}</Typography.Paragraph>
          </div>
        )}
      </Result>
    </Card>
  );
}

function Filling({ fill }: { fill: FillOut }) {
  const t = useT();
  const qc = useQueryClient();
  const submit = useSubmit(fill.campaign_id);
  const fields = fill.definition.fields;
  const [answers, setAnswers] = useState<Answers>(() =>
    fill.submission ? answersFromServer(fields, fill.submission.answers, fill.submission.files ?? []) : {},
  );
  const [waiting, setWaiting] = useState(false);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [usedPrevious, setUsedPrevious] = useState(false);
  const [done, setDone] = useState<SubmissionOut | null>(null);
  const storeKey = `bw-form-submit:${fill.campaign_id}:${fill.subject_id}:${fill.period}`;

  const existing = done ?? fill.submission;
  const editable = fill.state === "open" || (fill.state === "late" && !existing);
  const deadline = dayjs(fill.deadline_at).format("HH:mm");
  // FillOut has no opening time; today's list (cached or fetched) does.
  const opensAt = useTodo().data?.find((i) => i.campaign_id === fill.campaign_id && i.subject_id === fill.subject_id)?.opens_at;
  const errorCount = Object.values(errors).reduce((n, m) => n + m.length, 0);

  // After an error, take the filler to the first question it names.
  useEffect(() => {
    const first = visible(fields, answers).find((f) => errors[f.key]);
    if (first) document.getElementById(`field-${first.key}`)?.scrollIntoView({ behavior: "smooth", block: "center" });
    // Only when a new set of errors arrives.
  }, [errors]); // eslint-disable-line react-hooks/exhaustive-deps

  const onAnswer = (key: string, value: unknown) => {
    // A photo question passes an updater: its upload ends after other answers may have changed.
    setAnswers((a) => ({ ...a, [key]: typeof value === "function" ? (value as (v: unknown) => unknown)(a[key]) : value }));
    if (errors[key]) setErrors(({ [key]: _, ...rest }) => rest);
  };

  const upload: Uploader = useCallback(
    (field, file, onProgress, signal) => uploadFormFile(fill.campaign_id, fill.subject_id, field, fill.version, file, onProgress, signal),
    [fill.campaign_id, fill.subject_id, fill.version],
  );
  const uploads = uploadsOf(fields, answers);

  // Submitting while a photo uploads: sent once it is done, unless one failed.
  useEffect(() => {
    if (!waiting || uploads.uploading > 0) return;
    setWaiting(false);
    if (uploads.failed > 0) setProblem(t("forms.file.failedBeforeSubmit"));
    else void send();
  }, [waiting, uploads.uploading, uploads.failed]); // eslint-disable-line react-hooks/exhaustive-deps

  const send = async () => {
    setProblem(null);
    if (uploads.uploading > 0) {
      setWaiting(true);
      return;
    }
    if (uploads.failed > 0) {
      setProblem(t("forms.file.failedBeforeSubmit"));
      return;
    }
    const body = answersToSend(fields, answers);
    const clientId = clientIdFor(storeKey, JSON.stringify([fill.version, body]));
    try {
      const result = await submit.mutateAsync({ client_id: clientId, subject_id: fill.subject_id, template_id: fill.template_id, version: fill.version, answers: body });
      sessionStorage.removeItem(storeKey);
      setErrors({});
      setDone(result);
      qc.setQueryData<FillOut>(formKeys.fill(fill.campaign_id, fill.subject_id), (old) => (old ? { ...old, submission: result } : old));
      window.scrollTo({ top: 0 });
    } catch (err) {
      if (err instanceof ApiError && err.status === 422 && err.code === "form_answers_invalid") {
        const byField = fieldErrors(err.problem.errors);
        const { _form, ...rest } = byField;
        setErrors(rest);
        setProblem(_form ? _form.join(" ") : null);
      } else if (err instanceof ApiError && err.status === 409 && err.code === "form_template_changed") {
        // The school switched to its longer form meanwhile: its questions come in, the answers
        // given so far stay where the questions are the same.
        await qc.invalidateQueries({ queryKey: formKeys.fill(fill.campaign_id, fill.subject_id) });
        setProblem(t("forms.fill.templateChanged"));
      } else if (err instanceof ApiError && err.status === 0) {
        setProblem(t("forms.fill.networkRetry"));
      } else {
        setProblem(errorText(err, t));
      }
    }
  };

  if (done)
    return (
      <Done
        result={done}
        fill={fill}
        onEdit={
          fill.state === "open"
            ? () => {
                setAnswers(answersFromServer(fields, done.answers, done.files ?? []));
                setDone(null);
              }
            : null
        }
      />
    );

  return (
    <Card
      className="bw-form-card"
      data-testid="forms-fill"
      title={
        <div className="bw-form-head">
          <Typography.Text strong className="bw-form-name">
            {fill.name}
          </Typography.Text>
          <Typography.Text type="secondary" className="bw-form-sub">
            {t("forms.fill.period", { day: fill.period, at: deadline })}
          </Typography.Text>
        </div>
      }
    >
      <Space orientation="vertical" style={{ width: "100%" }} size="middle">
        {existing && (
          <Alert
            type={editable ? "success" : "info"}
            showIcon
            data-testid="forms-fill-existing"
            title={t("forms.fill.submittedAt", { at: dayjs(existing.updated_at ?? existing.submitted_at).format("HH:mm") })}
            description={editable ? t("forms.fill.editUntil", { at: deadline }) : t("forms.fill.readOnly")}
          />
        )}
        {fill.state === "upcoming" && (
          <Alert
            type="info"
            showIcon
            data-testid="forms-fill-upcoming"
            title={opensAt ? t("forms.fill.notOpen", { at: dayjs(opensAt).format("HH:mm") }) : t("forms.fill.notOpenYet")}
          />
        )}
        {fill.state === "closed" && <Alert type="warning" showIcon title={t("forms.fill.closed")} />}
        {fill.state === "late" && !existing && <Alert type="warning" showIcon title={t("forms.fill.late")} />}
        {fill.previous && editable && !usedPrevious && (
          <Button
            icon={<HistoryOutlined />}
            block
            size="large"
            data-testid="forms-use-previous"
            onClick={() => {
              setAnswers((a) => ({ ...a, ...carryOver(fields, fill.previous ?? {}) }));
              setErrors({});
              setUsedPrevious(true);
            }}
          >
            {t("forms.fill.usePrevious")}
          </Button>
        )}
        {usedPrevious && <Alert type="info" showIcon title={t("forms.fill.usedPrevious")} />}
        <UploadContext.Provider value={editable ? upload : null}>
          <FormView fields={fields} answers={answers} onAnswer={onAnswer} errors={errors} disabled={!editable || submit.isPending} />
        </UploadContext.Provider>
        {errorCount > 0 && (
          <Alert type="error" showIcon title={t("forms.fill.fixErrors", { n: errorCount })} data-testid="forms-fill-errors" />
        )}
        {problem && <Alert type="error" showIcon title={problem} data-testid="forms-fill-problem" />}
        {waiting && <Alert type="info" showIcon title={t("forms.file.waitingToSubmit", { n: uploads.uploading })} data-testid="forms-fill-waiting" />}
        {editable && (
          <Button
            type="primary"
            size="large"
            block
            loading={submit.isPending || waiting}
            onClick={() => void send()}
            data-testid="forms-submit"
          >
            {waiting ? t("forms.file.uploading") : existing ? t("forms.fill.change") : t("forms.fill.submit")}
          </Button>
        )}
      </Space>
    </Card>
  );
}

export default function FillPage() {
  const t = useT();
  const params = useParams();
  const campaignId = Number(params.campaignId);
  const subjectId = Number(params.subjectId);
  const q = useFill(campaignId, subjectId);
  if (q.isPending) return <Spin style={{ display: "block", margin: 48 }} />;
  if (q.isError)
    return <Result status="warning" title={errorText(q.error, t)} extra={<Button onClick={() => void q.refetch()}>{t("common.retry")}</Button>} />;
  return (
    <div className="bw-forms-page">
      <Filling key={`${q.data.period}:${q.data.version}`} fill={q.data} />
    </div>
  );
}
