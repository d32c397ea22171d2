/** DING (/ding): one's sent DINGs, newest first, each with how many confirmed. */
import { Button, Card, Empty, List, Progress, Space, Tag, Typography } from "antd";
import { PlusOutlined } from "@ant-design/icons";
import { useNavigate } from "react-router-dom";
import dayjs from "dayjs";
import { useT, type TFunction } from "../../i18n";
import { useSentDings, type DingOut } from "./api";

export function dingState(d: DingOut, t: TFunction) {
  if (d.recalled_at) return <Tag>{t("ding.state.recalled")}</Tag>;
  if (!d.sent_at) return <Tag color="blue">{t("ding.state.scheduled", { at: dayjs(d.send_at).format("MM-DD HH:mm") })}</Tag>;
  if (d.confirmed >= d.total) return <Tag color="green">{t("ding.state.done")}</Tag>;
  return <Tag color="red">{t("ding.state.waiting", { n: d.total - d.confirmed })}</Tag>;
}

export default function DingListPage() {
  const t = useT();
  const navigate = useNavigate();
  const q = useSentDings();
  const rows = q.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Card
      title={t("ding.title")}
      data-testid="ding-list"
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate("/ding/new")} data-testid="ding-new">
          {t("ding.new")}
        </Button>
      }
    >
      <List
        loading={q.isPending}
        dataSource={rows}
        locale={{ emptyText: <Empty description={t("ding.none")} /> }}
        renderItem={(d) => (
          <List.Item
            data-testid="ding-row"
            style={{ cursor: "pointer" }}
            onClick={() => navigate(`/ding/${d.id}`)}
            extra={
              <Progress
                type="circle"
                size={52}
                percent={d.total ? Math.round((100 * d.confirmed) / d.total) : 0}
                format={() => `${d.confirmed}/${d.total}`}
                status={d.recalled_at ? "exception" : undefined}
              />
            }
          >
            <Space orientation="vertical" size={4} style={{ minWidth: 0 }}>
              <Typography.Paragraph ellipsis={{ rows: 2 }} style={{ margin: 0 }}>
                {d.body}
              </Typography.Paragraph>
              <Space wrap size={4}>
                {dingState(d, t)}
                <Typography.Text type="secondary">{dayjs(d.sent_at ?? d.created_at).format("YYYY-MM-DD HH:mm")}</Typography.Text>
              </Space>
            </Space>
          </List.Item>
        )}
      />
      {q.hasNextPage && (
        <Button block onClick={() => void q.fetchNextPage()} loading={q.isFetchingNextPage}>
          {t("common.loadMore")}
        </Button>
      )}
    </Card>
  );
}
