/**
 * 工作汇报 (/reports): the reports inbox — received (as a recipient or a copy, unread first
 * marked) and sent — with the unread badge, and the ways to write a report, see the team's
 * (heads) and manage templates (designers). Phone first.
 */
import { Badge, Button, Card, Empty, List, Spin, Tabs, Tag, Typography } from "antd";
import { BarChartOutlined, EditOutlined, SettingOutlined } from "@ant-design/icons";
import { useNavigate, useSearchParams } from "react-router-dom";
import dayjs from "dayjs";
import { useQueryClient } from "@tanstack/react-query";
import { useMe } from "../../api/hooks";
import { useEvent } from "../../realtime";
import { useT } from "../../i18n";
import { useInbox, type ReportItem } from "./api";
import "./reports.css";

export function ReportRow({ item, onOpen }: { item: ReportItem; onOpen: () => void }) {
  const t = useT();
  return (
    <List.Item className="bw-reports-item" onClick={onOpen} data-testid={`reports-item-${item.id}`}>
      <List.Item.Meta
        title={
          <span className="bw-reports-item-title">
            {item.unread && <Badge status="processing" />}
            <span>
              {item.author.name} · {item.template_name}
            </span>
            {item.late && <Tag color="orange">{t("reports.late")}</Tag>}
            {item.role === "cc" && <Tag>{t("reports.cc")}</Tag>}
          </span>
        }
        description={
          <span>
            {item.period} · {dayjs(item.submitted_at).format("MM-DD HH:mm")}
            {item.unread_comments > 0
              ? ` · ${t("reports.newComments", { n: item.unread_comments })}`
              : item.comment_count > 0
                ? ` · ${t("reports.comments", { n: item.comment_count })}`
                : ""}
          </span>
        }
      />
    </List.Item>
  );
}

function Box({ box }: { box: "received" | "sent" }) {
  const t = useT();
  const navigate = useNavigate();
  const q = useInbox(box);
  if (q.isPending) return <Spin />;
  const items = q.data?.items ?? [];
  if (!items.length) return <Empty description={t("reports.none")} />;
  return (
    <List
      dataSource={items}
      renderItem={(item) => <ReportRow item={item} onOpen={() => navigate(`/reports/${item.id}`)} />}
      data-testid={`reports-${box}`}
    />
  );
}

export default function ReportsPage() {
  const t = useT();
  const navigate = useNavigate();
  const me = useMe().data;
  const [params, setParams] = useSearchParams();
  const box = params.get("box") === "sent" ? "sent" : "received";
  const received = useInbox("received");
  const qc = useQueryClient();
  const refresh = () => void qc.invalidateQueries({ queryKey: ["reports", "inbox"] });
  useEvent("report.received", refresh);
  useEvent("report.commented", refresh);
  const heads = !!me?.is_admin || (me?.managed_unit_ids.length ?? 0) > 0;
  return (
    <Card
      className="bw-reports-page"
      title={<Typography.Text strong>{t("reports.title")}</Typography.Text>}
      extra={
        <Button type="primary" icon={<EditOutlined />} onClick={() => navigate("/reports/write")} data-testid="reports-write">
          {t("reports.write")}
        </Button>
      }
    >
      {heads && (
        <div className="bw-reports-actions" style={{ marginBottom: 8 }}>
          <Button icon={<BarChartOutlined />} onClick={() => navigate("/reports/team")} data-testid="reports-team">
            {t("reports.team")}
          </Button>
          <Button icon={<SettingOutlined />} onClick={() => navigate("/reports/templates")} data-testid="reports-templates">
            {t("reports.templates")}
          </Button>
        </div>
      )}
      <Tabs
        activeKey={box}
        onChange={(k) => setParams(k === "sent" ? { box: "sent" } : {}, { replace: true })}
        items={[
          {
            key: "received",
            label: (
              <Badge count={received.data?.unread ?? 0} size="small" offset={[8, 0]} data-testid="reports-unread">
                {t("reports.received")}
              </Badge>
            ),
            children: <Box box="received" />,
          },
          { key: "sent", label: t("reports.sent"), children: <Box box="sent" /> },
        ]}
      />
    </Card>
  );
}
