/**
 * A DING's delivery report (the sender's detail page): per recipient, each channel's try — the
 * card in the app, text messages, emails, voice calls — with its status (queued, sent,
 * delivered, outbox, failed with the provider's reason, confirmed), the escalation step that
 * sent it, and 导出 Excel (the server streams the workbook).
 */
import { Button, Card, List, Space, Spin, Tag, Tooltip, Typography } from "antd";
import { DownloadOutlined } from "@ant-design/icons";
import dayjs from "dayjs";
import { useT } from "../../i18n";
import type { MessageKey } from "../../i18n/locales/zh-CN";
import { displayName } from "../people/parents";
import { reportXlsxUrl, useDingReport, type ReportEntry } from "./api";

const COLOURS: Record<ReportEntry["status"], string> = {
  queued: "default",
  sent: "blue",
  delivered: "green",
  outbox: "orange",
  failed: "red",
  confirmed: "green",
};

function Entry({ e }: { e: ReportEntry }) {
  const t = useT();
  const at = e.delivered_at ?? e.sent_at ?? e.created_at;
  const label = `${t(`ding.channel.${e.channel}` as MessageKey)} · ${t(`ding.status.${e.status}` as MessageKey)}`;
  const notes = [
    e.step > 0 ? t("ding.reportStep", { n: e.step }) : null,
    e.fallback ? t("ding.reportFallback") : null,
    at ? dayjs(at).format("MM-DD HH:mm:ss") : null,
  ].filter(Boolean);
  return (
    <Space orientation="vertical" size={0} data-testid="ding-report-entry" data-channel={e.channel} data-status={e.status}>
      <Tooltip title={notes.join(" · ")}>
        <Tag color={COLOURS[e.status]}>{label}</Tag>
      </Tooltip>
      {e.reason && (
        <Typography.Text type="danger" style={{ fontSize: 12 }} data-testid="ding-report-reason">
          {e.reason}
        </Typography.Text>
      )}
    </Space>
  );
}

export function DingReportCard({ id }: { id: number }) {
  const t = useT();
  const q = useDingReport(id);
  const policy = q.data?.escalation as { after_minutes: number; channels: string[] } | null | undefined;
  return (
    <Card
      size="small"
      title={t("ding.report")}
      data-testid="ding-report"
      extra={
        <Button size="small" icon={<DownloadOutlined />} href={reportXlsxUrl(id)} download data-testid="ding-report-export">
          {t("ding.reportExport")}
        </Button>
      }
    >
      {q.isPending ? (
        <Spin />
      ) : q.data ? (
        <>
          {policy && (
            <Typography.Paragraph type="secondary" data-testid="ding-report-policy">
              {t("ding.reportEscalation", {
                summary: t("unitSettings.escalationSummary", {
                  n: policy.after_minutes,
                  channels: policy.channels.map((c) => t(`unitSettings.channel.${c}` as MessageKey)).join(" → "),
                }),
              })}
            </Typography.Paragraph>
          )}
          <List
            size="small"
            dataSource={q.data.rows}
            pagination={q.data.rows.length > 50 ? { pageSize: 50, size: "small" } : false}
            renderItem={(r) => (
              <List.Item data-testid="ding-report-row">
                <Space orientation="vertical" size={4} style={{ width: "100%" }}>
                  <Space wrap size={4}>
                    <Typography.Text strong>{displayName(r.person, t)}</Typography.Text>
                    {r.unit_name && <Typography.Text type="secondary">{r.unit_name}</Typography.Text>}
                  </Space>
                  <Space wrap size={[6, 4]} align="start">
                    {r.entries.map((e, i) => (
                      <Entry key={i} e={e} />
                    ))}
                  </Space>
                </Space>
              </List.Item>
            )}
          />
        </>
      ) : null}
    </Card>
  );
}
