/**
 * A request (/approvals/:id) for its submitter, approvers and copies: its state, its answers
 * (forms' FormView on the version it was filled on), the flow with each approver's state, the
 * timeline (every action, comments with their files), and what the viewer may do now —
 * approve, reject, return, transfer, add an approver (an approver whose turn it is), withdraw
 * or change and submit again (the submitter), comment with attachments (anyone who reads it).
 * `approval.changed` refetches it, so a decision shows at once on the submitter's page.
 */
import { useState } from "react";
import { Alert, App, Button, Card, Input, Modal, Space, Spin, Tag, Timeline, Typography, Upload } from "antd";
import { PaperClipOutlined } from "@ant-design/icons";
import { useParams } from "react-router-dom";
import dayjs from "dayjs";
import { ApiError } from "../../api/http";
import { errorText } from "../../app/errors";
import { useT } from "../../i18n";
import type { MessageKey } from "../../i18n/locales/zh-CN";
import { useEvent } from "../../realtime";
import { FormView } from "../forms/FormView";
import { answersToSend, fieldErrors, type Answers } from "../forms/model";
import { PersonSelect } from "../people/PersonSelect";
import { uploadFile, useAct, useApproval, useApprovalsLive, type Action, type ApprovalFile, type ApprovalOut } from "./api";
import { StatusTag } from "./ApprovalsPage";
import "../forms/forms.css";
import "./approvals.css";

type Ask = "approve" | "reject" | "return" | "transfer" | "add";

function Steps({ r }: { r: ApprovalOut }) {
  const t = useT();
  return (
    <Card size="small" title={t("approvals.flow")} style={{ marginTop: 12 }} data-testid="approvals-steps">
      {r.steps.map((s) => (
        <div key={s.position} className="bw-approvals-step" data-testid={`approvals-step-${s.position}`}>
          <Space wrap>
            <Typography.Text strong>{s.name}</Typography.Text>
            <Tag>{t(`approvals.stepStatus.${s.status}` as MessageKey)}</Tag>
            {s.tasks.length > 1 && <Typography.Text type="secondary">{t(s.mode === "all" ? "approvals.step.all" : "approvals.step.any")}</Typography.Text>}
          </Space>
          <div>
            {s.tasks.map((x, i) => (
              <Tag key={i} color={x.status === "approved" ? "green" : x.status === "rejected" ? "red" : x.status === "pending" ? "blue" : undefined}>
                {x.approver.name}
                {x.on_behalf_of && ` (${t("approvals.onBehalf", { name: x.on_behalf_of.name })})`} · {t(`approvals.taskStatus.${x.status}` as MessageKey)}
              </Tag>
            ))}
          </div>
        </div>
      ))}
      {r.cc.length > 0 && (
        <Typography.Text type="secondary">
          {t("approvals.cc")}: {r.cc.map((p) => p.name).join("、")}
        </Typography.Text>
      )}
    </Card>
  );
}

function Files({ files }: { files: ApprovalFile[] }) {
  return (
    <div>
      {files.map((f) => (
        <a key={f.id} href={f.url} target="_blank" rel="noreferrer" style={{ marginRight: 8 }}>
          <PaperClipOutlined /> {f.name}
        </a>
      ))}
    </div>
  );
}

function History({ r }: { r: ApprovalOut }) {
  const t = useT();
  return (
    <Card size="small" title={t("approvals.timeline")} style={{ marginTop: 12 }}>
      <Timeline
        data-testid="approvals-timeline"
        items={r.timeline.map((e) => ({
          key: e.seq,
          content: (
            <div data-testid={`approvals-event-${e.seq}`} data-action={e.action}>
              <Typography.Text strong>{e.actor?.name ?? ""}</Typography.Text>{" "}
              {t(`approvals.event.${e.action}` as MessageKey, { name: e.target?.name ?? "" })}{" "}
              <Typography.Text type="secondary">{dayjs(e.created_at).format("MM-DD HH:mm")}</Typography.Text>
              {e.body && <div style={{ whiteSpace: "pre-wrap" }}>{e.body}</div>}
              <Files files={e.files} />
            </div>
          ),
        }))}
      />
    </Card>
  );
}

function Comment({ id }: { id: number }) {
  const t = useT();
  const { message } = App.useApp();
  const act = useAct(id);
  const [body, setBody] = useState("");
  const [files, setFiles] = useState<ApprovalFile[]>([]);
  const [busy, setBusy] = useState(false);
  const send = async () => {
    if (!body.trim() && !files.length) return;
    try {
      await act.mutateAsync({ kind: "comment", body: body.trim(), files: files.map((f) => f.id) });
      setBody("");
      setFiles([]);
    } catch (err) {
      void message.error(errorText(err, t));
    }
  };
  return (
    <Card size="small" title={t("approvals.comment")} style={{ marginTop: 12 }}>
      <Input.TextArea value={body} maxLength={2000} autoSize={{ minRows: 1, maxRows: 4 }} placeholder={t("approvals.commentPlaceholder")} onChange={(e) => setBody(e.target.value)} data-testid="approvals-comment-input" />
      {files.length > 0 && <Files files={files} />}
      <Space style={{ marginTop: 8 }}>
        <Upload
          showUploadList={false}
          beforeUpload={(file) => {
            setBusy(true);
            uploadFile(id, file)
              .then((f) => setFiles((xs) => [...xs, f]))
              .catch((err: unknown) => void message.error(errorText(err, t)))
              .finally(() => setBusy(false));
            return false;
          }}
        >
          <Button icon={<PaperClipOutlined />} loading={busy} data-testid="approvals-attach">
            {t("approvals.attach")}
          </Button>
        </Upload>
        <Button type="primary" loading={act.isPending} onClick={() => void send()} data-testid="approvals-comment-send">
          {t("approvals.send")}
        </Button>
      </Space>
    </Card>
  );
}

function AskModal({ ask, onClose, onDo, busy }: { ask: Ask | null; onClose: () => void; onDo: (a: Action) => void; busy: boolean }) {
  const t = useT();
  const [note, setNote] = useState("");
  const [person, setPerson] = useState<number | null>(null);
  if (ask == null) return null;
  const needsPerson = ask === "transfer" || ask === "add";
  const title = t(ask === "add" ? "approvals.addApprover" : (`approvals.${ask}` as MessageKey));
  const ok = () => {
    if (ask === "transfer" && person != null) onDo({ kind: "transfer", to: person, comment: note });
    else if (ask === "add" && person != null) onDo({ kind: "add", person, comment: note });
    else if (!needsPerson) onDo({ kind: ask as "approve" | "reject" | "return", comment: note });
  };
  return (
    <Modal open title={title} onCancel={onClose} onOk={ok} okButtonProps={{ loading: busy, disabled: needsPerson && person == null, id: "approvals-confirm" }} destroyOnHidden>
      {needsPerson && (
        <div style={{ marginBottom: 8 }}>
          <PersonSelect value={person} onChange={setPerson} placeholder={t("approvals.choosePerson")} data-testid="approvals-person" />
        </div>
      )}
      <Input.TextArea value={note} maxLength={2000} placeholder={t("approvals.opinion")} onChange={(e) => setNote(e.target.value)} data-testid="approvals-opinion" />
    </Modal>
  );
}

function Resubmit({ r }: { r: ApprovalOut }) {
  const t = useT();
  const { message } = App.useApp();
  const act = useAct(r.id);
  const [answers, setAnswers] = useState<Answers>({ ...(r.answers as Answers) });
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const send = async () => {
    try {
      await act.mutateAsync({ kind: "resubmit", answers: answersToSend(r.definition.fields, answers) });
    } catch (err) {
      if (err instanceof ApiError && err.code === "form_answers_invalid") setErrors(fieldErrors(err.problem.errors as { field?: string; message?: string }[]));
      else void message.error(errorText(err, t));
    }
  };
  return (
    <Card size="small" title={t("approvals.resubmit")} style={{ marginTop: 12 }}>
      <FormView fields={r.definition.fields} answers={answers} errors={errors} onAnswer={(k, v) => setAnswers((a) => ({ ...a, [k]: v }))} />
      <Button type="primary" block loading={act.isPending} onClick={() => void send()} data-testid="approvals-resubmit">
        {t("approvals.resubmit")}
      </Button>
    </Card>
  );
}

export default function DetailPage() {
  const t = useT();
  const { message, modal } = App.useApp();
  const id = Number(useParams().id);
  const q = useApproval(id);
  const act = useAct(id);
  const [ask, setAsk] = useState<Ask | null>(null);
  const live = useApprovalsLive();
  useEvent("approval.changed", (ev) => {
    if (ev.request_id === id) live(ev);
  });
  if (q.isPending) return <Spin />;
  if (q.isError || !q.data) return <Alert type="error" showIcon title={errorText(q.error, t)} />;
  const r = q.data;
  const run = async (a: Action) => {
    try {
      await act.mutateAsync(a);
      setAsk(null);
      void message.success(t("approvals.done"));
    } catch (err) {
      setAsk(null);
      void message.error(errorText(err, t));
      void q.refetch();
    }
  };
  return (
    <div className="bw-approvals-page">
      <Card
        title={
          <Space wrap>
            <span data-testid="approvals-detail-title">{r.title}</span>
            <StatusTag status={r.status} />
          </Space>
        }
      >
        <Typography.Text type="secondary">
          {r.submitter.name} · {dayjs(r.created_at).format("YYYY-MM-DD HH:mm")}
        </Typography.Text>
        <div data-testid="approvals-answers" style={{ marginTop: 8 }}>
          <FormView fields={r.definition.fields} answers={r.answers as Answers} onAnswer={() => {}} disabled />
        </div>
      </Card>
      <Steps r={r} />
      {r.may_resubmit && <Resubmit r={r} />}
      <History r={r} />
      <Comment id={id} />
      {(r.may_decide || r.may_withdraw) && (
        <div className="bw-approvals-bar bw-approvals-actions" data-testid="approvals-actions">
          {r.may_decide && (
            <>
              <Button type="primary" onClick={() => setAsk("approve")} data-testid="approvals-approve">
                {t("approvals.approve")}
              </Button>
              <Button danger onClick={() => setAsk("reject")} data-testid="approvals-reject">
                {t("approvals.reject")}
              </Button>
              <Button onClick={() => setAsk("return")} data-testid="approvals-return">
                {t("approvals.return")}
              </Button>
              <Button onClick={() => setAsk("transfer")} data-testid="approvals-transfer">
                {t("approvals.transfer")}
              </Button>
              <Button onClick={() => setAsk("add")} data-testid="approvals-add">
                {t("approvals.addApprover")}
              </Button>
            </>
          )}
          {r.may_withdraw && (
            <Button
              onClick={() => void modal.confirm({ title: t("approvals.withdrawConfirm"), onOk: () => run({ kind: "withdraw" }) })}
              data-testid="approvals-withdraw"
            >
              {t("approvals.withdraw")}
            </Button>
          )}
        </div>
      )}
      <AskModal ask={ask} busy={act.isPending} onClose={() => setAsk(null)} onDo={(a) => void run(a)} />
    </div>
  );
}
