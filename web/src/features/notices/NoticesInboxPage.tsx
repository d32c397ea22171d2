/** 公告 (/notices): the notices for oneself, newest first, all or unread only; opening one reads it. */
import { useState } from "react";
import { Badge, Button, Card, Empty, List, Segmented, Space, Typography } from "antd";
import { EditOutlined, SendOutlined } from "@ant-design/icons";
import { useNavigate } from "react-router-dom";
import dayjs from "dayjs";
import { useT } from "../../i18n";
import { displayName } from "../people/parents";
import { useWorkbench } from "../workbench/api";
import { useInbox } from "./api";
import { ImportanceTag, ReaderTags } from "./parts";
import "./notices.css";

export default function NoticesInboxPage() {
  const t = useT();
  const navigate = useNavigate();
  const [unread, setUnread] = useState(false);
  const q = useInbox(unread);
  const rows = q.data?.pages.flatMap((p) => p.items) ?? [];
  const mayPublish = useWorkbench().data?.tiles.some((x) => x.key === "notices.sent") ?? false;
  return (
    <Card
      title={t("notices.title")}
      data-testid="notices-inbox"
      extra={
        mayPublish && (
          <Space size={4} wrap>
            <Button icon={<SendOutlined />} onClick={() => navigate("/notices/sent")} data-testid="notices-sent-link">
              {t("notices.sent")}
            </Button>
            <Button type="primary" icon={<EditOutlined />} onClick={() => navigate("/notices/new")} data-testid="notices-new">
              {t("notices.new")}
            </Button>
          </Space>
        )
      }
    >
      <Segmented
        value={unread ? "unread" : "all"}
        onChange={(v) => setUnread(v === "unread")}
        options={[
          { value: "all", label: t("notices.filter.all") },
          { value: "unread", label: t("notices.filter.unread") },
        ]}
        data-testid="notices-filter"
        style={{ marginBottom: 12 }}
      />
      <List
        loading={q.isPending}
        dataSource={rows}
        locale={{ emptyText: <Empty description={unread ? t("notices.noneUnread") : t("notices.none")} /> }}
        renderItem={(n) => (
          <List.Item data-testid="notice-row" data-notice={n.id} style={{ cursor: "pointer" }} onClick={() => navigate(`/notices/${n.id}`)}>
            <Space orientation="vertical" size={4} style={{ minWidth: 0, width: "100%" }}>
              <Space size={6} style={{ minWidth: 0 }}>
                {!n.recalled_at && n.mine && !n.mine.read_at && <Badge status="processing" />}
                <ImportanceTag value={n.importance} />
                <Typography.Text strong={!n.mine?.read_at} ellipsis className="bw-notice-row-title">
                  {n.title}
                </Typography.Text>
              </Space>
              <Space wrap size={4}>
                <ReaderTags n={n} t={t} />
                <Typography.Text type="secondary">
                  {n.author ? displayName(n.author, t) : ""} · {dayjs(n.published_at).format("YYYY-MM-DD HH:mm")}
                </Typography.Text>
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
