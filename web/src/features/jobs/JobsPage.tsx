/** Installation admins: the durable jobs (queued, running, done, dead) and retrying dead ones. */
import { useState } from "react";
import { App, Button, Card, Descriptions, Popconfirm, Segmented, Select, Space, Table, Tag, Tooltip, Typography } from "antd";
import { ReloadOutlined } from "@ant-design/icons";
import dayjs from "dayjs";
import { useIsPhone } from "../layout/AppLayout";
import { useT } from "../../i18n";
import { JOB_STATES, useJobCounts, useJobs, useRetryJob, type JobOut, type JobState } from "./api";

const COLORS: Record<JobState, string> = { queued: "blue", running: "gold", done: "green", dead: "red" };
const when = (v: string | null) => (v ? dayjs(v).format("YYYY-MM-DD HH:mm:ss") : "—");

function Payload({ value }: { value: JobOut["payload"] }) {
  const text = Object.entries(value)
    .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join("\n");
  return text ? <pre className="bw-pre">{text}</pre> : <Typography.Text type="secondary">—</Typography.Text>;
}

function ErrorText({ value, full }: { value: string | null; full?: boolean }) {
  if (!value) return <Typography.Text type="secondary">—</Typography.Text>;
  if (full) {
    return (
      <Typography.Text type="danger" style={{ wordBreak: "break-word" }} data-testid="job-error">
        {value}
      </Typography.Text>
    );
  }
  return (
    <Tooltip title={value}>
      <Typography.Text type="danger" ellipsis style={{ maxWidth: 320 }} data-testid="job-error">
        {value}
      </Typography.Text>
    </Tooltip>
  );
}

export default function JobsPage() {
  const t = useT();
  const phone = useIsPhone();
  const { message } = App.useApp();
  const [state, setState] = useState<JobState | null>(null);
  const [kind, setKind] = useState<string | null>(null);
  const jobs = useJobs(state, kind);
  const counts = useJobCounts();
  const retry = useRetryJob();
  const rows = jobs.data?.pages.flatMap((p) => p.items) ?? [];

  const stateTag = (s: JobState) => <Tag color={COLORS[s]}>{t(`jobs.state.${s}`)}</Tag>;
  const tries = (j: JobOut) => `${j.attempts}/${j.max_attempts}`;
  const retryButton = (j: JobOut) =>
    j.state === "dead" ? (
      <Popconfirm
        title={t("jobs.retryConfirm")}
        okText={t("common.confirm")}
        cancelText={t("common.cancel")}
        onConfirm={() =>
          retry.mutateAsync(j.id).then(() => {
            void message.success(t("jobs.retried"));
          })
        }
      >
        <Button size="small" data-testid={`job-retry-${j.id}`}>
          {t("jobs.retry")}
        </Button>
      </Popconfirm>
    ) : null;

  const options = [
    { value: "all", label: t("common.all") },
    ...JOB_STATES.map((s) => ({
      value: s,
      label: `${t(`jobs.state.${s}`)}${counts.data ? ` ${counts.data[s]}` : ""}`,
    })),
  ];

  return (
    <Card
      title={t("jobs.title")}
      styles={phone ? { body: { padding: 8 } } : undefined}
      extra={
        <Button
          icon={<ReloadOutlined />}
          aria-label={t("jobs.refresh")}
          onClick={() => {
            void jobs.refetch();
            void counts.refetch();
          }}
        >
          {phone ? null : t("jobs.refresh")}
        </Button>
      }
    >
      <Typography.Paragraph type="secondary">{t("jobs.intro")}</Typography.Paragraph>
      <Space wrap style={{ marginBottom: 12 }}>
        {phone ? (
          <Select
            data-testid="job-states"
            style={{ minWidth: 160 }}
            options={options}
            value={state ?? "all"}
            onChange={(v: string) => setState(v === "all" ? null : (v as JobState))}
          />
        ) : (
          <Segmented
            data-testid="job-states"
            options={options}
            value={state ?? "all"}
            onChange={(v) => setState(v === "all" ? null : (v as JobState))}
          />
        )}
        <Select
          allowClear
          showSearch
          style={{ minWidth: phone ? 160 : 180 }}
          placeholder={t("jobs.kind")}
          value={kind}
          onChange={(v: string | undefined) => setKind(v ?? null)}
          options={(counts.data?.kinds ?? []).map((k) => ({ value: k, label: k }))}
          data-testid="job-kind"
        />
      </Space>
      {phone ? (
        <div data-testid="jobs-table">
          {rows.length === 0 && !jobs.isPending && <Typography.Text type="secondary">{t("common.empty")}</Typography.Text>}
          {rows.map((j) => (
            <Card
              key={j.id}
              size="small"
              style={{ marginBottom: 8 }}
              title={<Typography.Text code>{j.kind}</Typography.Text>}
              extra={stateTag(j.state)}
            >
              <Descriptions column={1} size="small">
                <Descriptions.Item label="#">{j.id}</Descriptions.Item>
                <Descriptions.Item label={t("jobs.attempts")}>{tries(j)}</Descriptions.Item>
                <Descriptions.Item label={t("jobs.runAt")}>{when(j.run_at)}</Descriptions.Item>
                {j.finished_at && <Descriptions.Item label={t("jobs.finishedAt")}>{when(j.finished_at)}</Descriptions.Item>}
                {j.last_error && <Descriptions.Item label={t("jobs.lastError")}><ErrorText value={j.last_error} full /></Descriptions.Item>}
                <Descriptions.Item label={t("jobs.payload")}><Payload value={j.payload} /></Descriptions.Item>
              </Descriptions>
              {retryButton(j)}
            </Card>
          ))}
        </div>
      ) : (
        <Table<JobOut>
          data-testid="jobs-table"
          rowKey="id"
          size="small"
          loading={jobs.isPending}
          dataSource={rows}
          pagination={false}
          scroll={{ x: 1000 }}
          locale={{ emptyText: t("common.empty") }}
          columns={[
            { title: "#", dataIndex: "id", width: 70 },
            { title: t("jobs.kind"), dataIndex: "kind", width: 150, render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
            { title: t("jobs.stateLabel"), dataIndex: "state", width: 90, render: stateTag },
            { title: t("jobs.attempts"), key: "tries", width: 80, render: (_: unknown, j) => tries(j) },
            { title: t("jobs.runAt"), dataIndex: "run_at", width: 150, render: when },
            { title: t("jobs.finishedAt"), dataIndex: "finished_at", width: 150, render: when },
            { title: t("jobs.payload"), dataIndex: "payload", render: (v: JobOut["payload"]) => <Payload value={v} /> },
            { title: t("jobs.lastError"), dataIndex: "last_error", render: (v: string | null) => <ErrorText value={v} /> },
            { key: "actions", width: 80, render: (_: unknown, j) => retryButton(j) },
          ]}
        />
      )}
      <div style={{ textAlign: "center", marginTop: 12 }}>
        {jobs.hasNextPage ? (
          <Button onClick={() => void jobs.fetchNextPage()} loading={jobs.isFetchingNextPage}>
            {t("common.loadMore")}
          </Button>
        ) : (
          rows.length > 0 && <Typography.Text type="secondary">{t("common.noMore")}</Typography.Text>
        )}
      </div>
    </Card>
  );
}
