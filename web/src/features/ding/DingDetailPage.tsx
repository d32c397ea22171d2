/**
 * One's DING (/ding/:id): who confirmed and who has not, by the unit they were reached in,
 * live (ding.confirmed refetches it: DingRealtime); 再次提醒 the unconfirmed (the server refuses
 * within 5 minutes of the last alert and says how long to wait) and 撤回.
 */
import { Button, Card, Empty, List, Popconfirm, Progress, Result, Space, Spin, Typography } from "antd";
import { BellOutlined, RollbackOutlined } from "@ant-design/icons";
import { useParams } from "react-router-dom";
import dayjs from "dayjs";
import { useT } from "../../i18n";
import { errorText } from "../../app/errors";
import { displayName } from "../people/parents";
import { useDing, useDingActions, type DingDetail } from "./api";
import { dingState } from "./DingListPage";
import { DingReportCard } from "./DingReportCard";
import { DingMedia } from "./DingMedia";

type Recipient = DingDetail["groups"][number]["pending"][number];

function People({ rows, confirmed, testId }: { rows: Recipient[]; confirmed: boolean; testId: string }) {
  const t = useT();
  return (
    <List
      size="small"
      data-testid={testId}
      dataSource={rows}
      locale={{ emptyText: confirmed ? t("ding.noneConfirmed") : t("ding.allConfirmed") }}
      renderItem={(r) => (
        <List.Item data-testid={`${testId}-person`}>
          <Typography.Text>{displayName(r.person, t)}</Typography.Text>
          {r.confirmed_at && <Typography.Text type="secondary">{dayjs(r.confirmed_at).format("HH:mm:ss")}</Typography.Text>}
        </List.Item>
      )}
    />
  );
}

export default function DingDetailPage() {
  const t = useT();
  const id = Number(useParams().id);
  const q = useDing(id);
  const { remind, recall } = useDingActions(id);
  if (q.isPending) return <Spin />;
  if (q.isError) return <Result status="warning" title={errorText(q.error, t)} />;
  const d = q.data;
  const open = !d.recalled_at && d.sent_at != null && d.confirmed < d.total;
  const recallable = !d.recalled_at && (d.sent_at == null || d.confirmed < d.total);
  return (
    <Space orientation="vertical" style={{ width: "100%" }} size="middle" data-testid="ding-detail">
      <Card title={t("ding.detail")} extra={dingState(d, t)}>
        <Space orientation="vertical" style={{ width: "100%" }} size="middle">
          <div className="bw-ding-text" data-testid="ding-detail-text">
            {d.body}
          </div>
          <DingMedia voice={d.voice} attachment={d.attachment} />
          <Space align="center" size="large" wrap>
            <Progress
              type="circle"
              size={72}
              percent={d.total ? Math.round((100 * d.confirmed) / d.total) : 0}
              format={() => `${d.confirmed}/${d.total}`}
            />
            <Space orientation="vertical" size={2}>
              <Typography.Text data-testid="ding-detail-count">{t("ding.confirmedOf", { n: d.confirmed, m: d.total })}</Typography.Text>
              <Typography.Text type="secondary">
                {d.sent_at
                  ? t("ding.sentAt", { at: dayjs(d.sent_at).format("YYYY-MM-DD HH:mm") })
                  : t("ding.sendsAt", { at: dayjs(d.send_at).format("YYYY-MM-DD HH:mm") })}
              </Typography.Text>
              {d.channels.length > 0 && (
                <Typography.Text type="secondary">
                  {t("ding.alsoBy", { channels: d.channels.map((c) => (c === "sms" ? t("ding.sms") : c === "voice" ? t("ding.voice") : t("ding.email"))).join(" · ") })}
                </Typography.Text>
              )}
              {d.reminders > 0 && <Typography.Text type="secondary">{t("ding.reminded", { n: d.reminders })}</Typography.Text>}
              {open && d.next_remind_at && dayjs(d.next_remind_at).isAfter(dayjs()) && (
                <Typography.Text type="secondary" data-testid="ding-next-remind">
                  {t("ding.nextRemind", { at: dayjs(d.next_remind_at).format("HH:mm:ss") })}
                </Typography.Text>
              )}
            </Space>
          </Space>
          {(open || recallable) && (
          <Space wrap>
            {open && (
              <Button type="primary" icon={<BellOutlined />} loading={remind.isPending} onClick={() => remind.mutate()} data-testid="ding-remind">
                {t("ding.remind")}
              </Button>
            )}
            {recallable && (
              <Popconfirm title={t("ding.recallConfirm")} onConfirm={() => recall.mutate()} okText={t("ding.recall")} cancelText={t("common.cancel")}>
                <Button danger icon={<RollbackOutlined />} loading={recall.isPending} data-testid="ding-recall">
                  {t("ding.recall")}
                </Button>
              </Popconfirm>
            )}
          </Space>
          )}
        </Space>
      </Card>
      {d.groups.length === 0 && <Empty />}
      <div className="bw-ding-groups">
        {d.groups.map((g) => (
          <Card
            key={g.unit_id ?? "people"}
            size="small"
            style={{ marginBottom: 12 }}
            title={`${g.unit_name ?? t("ding.byName")} · ${g.confirmed.length}/${g.confirmed.length + g.pending.length}`}
            data-testid="ding-group"
          >
            <Typography.Text strong type="danger">
              {t("ding.pendingList", { n: g.pending.length })}
            </Typography.Text>
            <People rows={g.pending} confirmed={false} testId="ding-pending" />
            <Typography.Text strong type="success">
              {t("ding.confirmedList", { n: g.confirmed.length })}
            </Typography.Text>
            <People rows={g.confirmed} confirmed testId="ding-confirmed" />
          </Card>
        ))}
      </div>
      {d.sent_at && <DingReportCard id={d.id} />}
    </Space>
  );
}
