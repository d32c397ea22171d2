/**
 * A report (/reports/:id) for its author, recipients and copies: its answers (read-only, in
 * forms' FormView on the version it was written on), to whom it went and who has read it,
 * then the comments — one's own with who has read them — and a box to add one. Opening it
 * marks it read; the thread refetches on `report.commented` and `report.read`.
 */
import { useState } from "react";
import { Alert, App, Button, Card, Empty, Input, Space, Spin, Tag, Typography } from "antd";
import { CheckOutlined } from "@ant-design/icons";
import { useParams } from "react-router-dom";
import { useQueryClient } from "@tanstack/react-query";
import dayjs from "dayjs";
import { errorText } from "../../app/errors";
import { useT } from "../../i18n";
import { useEvent } from "../../realtime";
import { FormView } from "../forms/FormView";
import { useAddComment, useComments, useReport, reportKeys, type ReportOut } from "./api";
import "../forms/forms.css";
import "./reports.css";

function Readers({ report }: { report: ReportOut }) {
  const t = useT();
  const all = [...report.to, ...report.cc];
  const read = all.filter((r) => r.read_at).length;
  return (
    <div style={{ margin: "8px 0" }} data-testid="reports-readers">
      <Typography.Text type="secondary">
        {t("reports.to")}: {report.to.map((r) => r.name).join("、")}
        {report.cc.length > 0 && ` · ${t("reports.ccTo")}: ${report.cc.map((r) => r.name).join("、")}`}
      </Typography.Text>
      {report.role === "author" && (
        <div>
          <Tag color={read === all.length ? "green" : "default"} data-testid="reports-read-state">
            {t("reports.readState", { read, all: all.length })}
          </Tag>
        </div>
      )}
    </div>
  );
}

function Comments({ id }: { id: number }) {
  const t = useT();
  const { message } = App.useApp();
  const list = useComments(id);
  const add = useAddComment(id);
  const [body, setBody] = useState("");
  const send = async () => {
    if (!body.trim()) return;
    try {
      await add.mutateAsync(body.trim());
      setBody("");
    } catch (err) {
      void message.error(errorText(err, t));
    }
  };
  return (
    <Card size="small" title={t("reports.commentsTitle")} style={{ marginTop: 12 }}>
      {list.isPending ? (
        <Spin />
      ) : (list.data ?? []).length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("reports.noComments")} />
      ) : (
        (list.data ?? []).map((c) => (
          <div key={c.seq} className="bw-reports-comment" data-testid={`reports-comment-${c.seq}`}>
            <Typography.Text strong>{c.author?.name ?? ""}</Typography.Text>{" "}
            <Typography.Text type="secondary">{dayjs(c.created_at).format("MM-DD HH:mm")}</Typography.Text>
            <div style={{ whiteSpace: "pre-wrap" }}>{c.body}</div>
            {c.read_by != null && (
              <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid={`reports-comment-${c.seq}-read`}>
                <CheckOutlined />{" "}
                {c.read_by.length ? t("reports.readBy", { names: c.read_by.map((p) => p.name).join("、") }) : t("reports.readByNone")}
              </Typography.Text>
            )}
          </div>
        ))
      )}
      <Space.Compact style={{ width: "100%", marginTop: 8 }}>
        <Input
          value={body}
          maxLength={2000}
          placeholder={t("reports.commentPlaceholder")}
          onChange={(e) => setBody(e.target.value)}
          onPressEnter={() => void send()}
          data-testid="reports-comment-input"
        />
        <Button type="primary" loading={add.isPending} onClick={() => void send()} data-testid="reports-comment-send">
          {t("reports.send")}
        </Button>
      </Space.Compact>
    </Card>
  );
}

export default function DetailPage() {
  const t = useT();
  const id = Number(useParams().id);
  const qc = useQueryClient();
  const q = useReport(id);
  useEvent("report.commented", (ev) => {
    if (ev.report_id === id) void qc.invalidateQueries({ queryKey: reportKeys.comments(id) });
  });
  useEvent("report.read", (ev) => {
    if (ev.report_id !== id) return;
    void qc.invalidateQueries({ queryKey: reportKeys.comments(id) });
    void qc.invalidateQueries({ queryKey: reportKeys.report(id) });
  });
  if (q.isPending) return <Spin />;
  if (q.isError || !q.data) return <Alert type="error" showIcon title={errorText(q.error, t)} />;
  const r = q.data;
  return (
    <div className="bw-reports-page">
      <Card
        title={
          <Space wrap>
            <span data-testid="reports-detail-title">
              {r.author.name} · {r.template_name}
            </span>
            <Tag>{r.period}</Tag>
            {r.late && <Tag color="orange">{t("reports.late")}</Tag>}
          </Space>
        }
      >
        <Typography.Text type="secondary">{dayjs(r.submitted_at).format("YYYY-MM-DD HH:mm")}</Typography.Text>
        <Readers report={r} />
        <div data-testid="reports-answers">
          <FormView fields={r.definition.fields} answers={r.answers} onAnswer={() => {}} disabled />
        </div>
      </Card>
      <Comments id={id} />
    </div>
  );
}
