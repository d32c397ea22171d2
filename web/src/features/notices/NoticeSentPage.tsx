/** 我发的通知 (/notices/sent): one's own notices, newest first, with how many read and confirmed. */
import { Button, Card, Empty, List, Progress, Space, Typography } from "antd";
import { EditOutlined } from "@ant-design/icons";
import { useNavigate } from "react-router-dom";
import dayjs from "dayjs";
import { useT } from "../../i18n";
import { useSentNotices } from "./api";
import { AuthorTags, ImportanceTag } from "./parts";

export default function NoticeSentPage() {
  const t = useT();
  const navigate = useNavigate();
  const q = useSentNotices();
  const rows = q.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Card
      title={t("notices.sent")}
      data-testid="notices-sent"
      extra={
        <Button type="primary" icon={<EditOutlined />} onClick={() => navigate("/notices/new")} data-testid="notices-new">
          {t("notices.new")}
        </Button>
      }
    >
      <List
        loading={q.isPending}
        dataSource={rows}
        locale={{ emptyText: <Empty description={t("notices.noneSent")} /> }}
        renderItem={(n) => (
          <List.Item
            data-testid="notice-sent-row"
            style={{ cursor: "pointer" }}
            onClick={() => navigate(n.published_at && !n.recalled_at ? `/notices/${n.id}/stats` : `/notices/${n.id}`)}
            extra={
              n.totals && (
                <Progress
                  type="circle"
                  size={52}
                  percent={n.totals.total ? Math.round((100 * n.totals.read) / n.totals.total) : 0}
                  format={() => `${n.totals!.read}/${n.totals!.total}`}
                  status={n.recalled_at ? "exception" : undefined}
                />
              )
            }
          >
            <Space orientation="vertical" size={4} style={{ minWidth: 0 }}>
              <Space size={4}>
                <ImportanceTag value={n.importance} />
                <Typography.Text strong ellipsis>
                  {n.title}
                </Typography.Text>
              </Space>
              <Space wrap size={4}>
                <AuthorTags n={n} t={t} />
                <Typography.Text type="secondary">{dayjs(n.published_at ?? n.publish_at ?? n.created_at).format("YYYY-MM-DD HH:mm")}</Typography.Text>
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
