/**
 * One notice (/notices/:id). A recipient who opens it has read it (`POST .../read` once) and
 * confirms with 确认已读 when asked; the author sees its totals with links to the statistics,
 * editing and recalling. "Edited" shows when it changed after publishing; a recalled notice
 * keeps only its title.
 */
import { useEffect } from "react";
import { Alert, Button, Card, Divider, List, Popconfirm, Result, Space, Spin, Typography } from "antd";
import { BarChartOutlined, CheckCircleOutlined, EditOutlined, PaperClipOutlined, RollbackOutlined } from "@ant-design/icons";
import { useNavigate, useParams } from "react-router-dom";
import dayjs from "dayjs";
import { useT } from "../../i18n";
import { errorText } from "../../app/errors";
import { displayName } from "../people/parents";
import { useNotice, useNoticeActions } from "./api";
import { Markdown } from "./Markdown";
import { AuthorTags, ImportanceTag, ReaderTags } from "./parts";
import "./notices.css";

function size(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export default function NoticeDetailPage() {
  const t = useT();
  const navigate = useNavigate();
  const id = Number(useParams().id);
  const q = useNotice(id);
  const { read, confirm, recall } = useNoticeActions(id);
  const n = q.data;
  const unread = n != null && !n.is_author && n.mine != null && n.mine.read_at == null && !n.recalled_at;
  useEffect(() => {
    if (unread && !read.isPending) read.mutate();
  }, [unread]); // eslint-disable-line react-hooks/exhaustive-deps
  if (q.isPending) return <Spin />;
  if (q.isError || !n) return <Result status="warning" title={errorText(q.error, t)} />;
  const toConfirm = !n.is_author && n.confirm && n.mine != null && n.mine.confirmed_at == null && !n.recalled_at;
  return (
    <Card data-testid="notice-detail">
      <Space orientation="vertical" style={{ width: "100%" }} size="small">
        <Space wrap size={4}>
          <ImportanceTag value={n.importance} />
          {n.is_author ? <AuthorTags n={n} t={t} /> : <ReaderTags n={n} t={t} />}
        </Space>
        <Typography.Title level={4} style={{ margin: 0 }} data-testid="notice-title">
          {n.title}
        </Typography.Title>
        <Typography.Text type="secondary">
          {n.author ? displayName(n.author, t) : ""} · {dayjs(n.published_at ?? n.publish_at ?? n.created_at).format("YYYY-MM-DD HH:mm")}
          {n.edited_at && ` · ${t("notices.editedAt", { at: dayjs(n.edited_at).format("MM-DD HH:mm") })}`}
        </Typography.Text>
        {n.recalled_at && !n.is_author ? (
          <Alert type="info" showIcon title={t("notices.recalledText")} data-testid="notice-recalled" />
        ) : (
          <Markdown text={n.body} testId="notice-body" />
        )}
        {n.attachments.length > 0 && (
          <>
            <Divider style={{ margin: "8px 0" }} />
            <List
              size="small"
              header={t("notices.attachments")}
              dataSource={n.attachments}
              renderItem={(f) => (
                <List.Item data-testid="notice-attachment">
                  <a href={f.url} target="_blank" rel="noreferrer">
                    <PaperClipOutlined /> {f.name}
                  </a>
                  <Typography.Text type="secondary">{size(f.size)}</Typography.Text>
                </List.Item>
              )}
            />
          </>
        )}
        {toConfirm && (
          <Button type="primary" size="large" block icon={<CheckCircleOutlined />} loading={confirm.isPending} onClick={() => confirm.mutate()} data-testid="notice-confirm">
            {t("notices.confirm")}
          </Button>
        )}
        {!n.is_author && n.mine?.confirmed_at && (
          <Typography.Text type="success" data-testid="notice-confirmed">
            <CheckCircleOutlined /> {t("notices.confirmedAt", { at: dayjs(n.mine.confirmed_at).format("MM-DD HH:mm") })}
          </Typography.Text>
        )}
        {n.is_author && (
          <Space wrap>
            {n.published_at && (
              <Button type="primary" icon={<BarChartOutlined />} onClick={() => navigate(`/notices/${n.id}/stats`)} data-testid="notice-stats-link">
                {t("notices.stats")}
              </Button>
            )}
            {!n.recalled_at && (
              <Button icon={<EditOutlined />} onClick={() => navigate(`/notices/${n.id}/edit`)} data-testid="notice-edit">
                {t("common.edit")}
              </Button>
            )}
            {!n.recalled_at && (
              <Popconfirm title={t("notices.recallConfirm")} onConfirm={() => recall.mutate()} okText={t("notices.recall")} cancelText={t("common.cancel")}>
                <Button danger icon={<RollbackOutlined />} loading={recall.isPending} data-testid="notice-recall">
                  {t("notices.recall")}
                </Button>
              </Popconfirm>
            )}
          </Space>
        )}
      </Space>
    </Card>
  );
}
