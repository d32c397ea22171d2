/**
 * The author's statistics (/notices/:id/stats): read and confirmed in total and by the unit each
 * recipient was reached in, the unit lagging most first; a unit opens to its people (unread,
 * read, confirmed — guardians as their child's parent); "DING 未读的人" DINGs everyone who has
 * not read it. Live: `notice.read` refetches it at most once a second (NoticeRealtime).
 */
import { useRef, useState } from "react";
import { App, Button, Card, Collapse, Empty, List, Popconfirm, Progress, Result, Segmented, Space, Spin, Typography } from "antd";
import { BellOutlined, FileTextOutlined } from "@ant-design/icons";
import { useNavigate, useParams } from "react-router-dom";
import dayjs from "dayjs";
import { useT } from "../../i18n";
import { errorText } from "../../app/errors";
import { displayName } from "../people/parents";
import { useNotice, useNoticeActions, useNoticeStats, useRecipients, type RecipientState, type UnitStats } from "./api";
import "./notices.css";

function People({ id, unit, confirm }: { id: number; unit: number | null | "name"; confirm: boolean }) {
  const t = useT();
  const [state, setState] = useState<RecipientState>("unread");
  const q = useRecipients(id, unit, state, true);
  const rows = q.data?.pages.flatMap((p) => p.items) ?? [];
  const states: RecipientState[] = confirm ? ["unread", "read", "unconfirmed", "confirmed"] : ["unread", "read"];
  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      <Segmented
        size="small"
        value={state}
        onChange={(v) => setState(v as RecipientState)}
        options={states.map((s) => ({ value: s, label: t(`notices.people.${s}`) }))}
        data-testid="notice-people-filter"
      />
      <List
        size="small"
        loading={q.isPending}
        dataSource={rows}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("common.empty")} /> }}
        data-testid="notice-people"
        renderItem={(r) => (
          <List.Item data-testid="notice-person">
            <bdi title={r.person.parent_of ? r.person.name : undefined}>{displayName(r.person, t)}</bdi>
            <Typography.Text type="secondary">
              {r.confirmed_at ? dayjs(r.confirmed_at).format("MM-DD HH:mm") : r.read_at ? dayjs(r.read_at).format("MM-DD HH:mm") : ""}
            </Typography.Text>
          </List.Item>
        )}
      />
      {q.hasNextPage && (
        <Button block size="small" loading={q.isFetchingNextPage} onClick={() => void q.fetchNextPage()}>
          {t("common.loadMore")}
        </Button>
      )}
    </Space>
  );
}

function UnitLabel({ u, confirm }: { u: UnitStats; confirm: boolean }) {
  const t = useT();
  const done = confirm ? u.confirmed : u.read;
  return (
    <div className="bw-notice-unit" data-testid="notice-unit" data-unit={u.unit_id ?? ""}>
      <span className="bw-notice-unit-name">{u.unit_name ?? t("ding.byName")}</span>
      <Progress percent={u.total ? Math.round((100 * done) / u.total) : 0} size="small" showInfo={false} style={{ flex: "1 1 80px", margin: 0 }} />
      <span className="bw-notice-unit-count" data-testid="notice-unit-count">
        {t("notices.readOf", { n: u.read, m: u.total })}
        {confirm ? ` · ${t("notices.confirmedOf", { n: u.confirmed, m: u.total })}` : ""}
      </span>
    </div>
  );
}

export default function NoticeStatsPage() {
  const t = useT();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const id = Number(useParams().id);
  const q = useNoticeStats(id);
  const n = useNotice(id).data;
  const { ding } = useNoticeActions(id);
  const dingId = useRef(crypto.randomUUID?.() ?? `${Date.now()}`);
  if (q.isPending) return <Spin />;
  if (q.isError) return <Result status="warning" title={errorText(q.error, t)} />;
  const s = q.data;
  const confirm = n?.confirm ?? false;
  const unread = s.totals.total - s.totals.read;
  const dingUnread = async () => {
    try {
      const d = await ding.mutateAsync(dingId.current);
      dingId.current = crypto.randomUUID?.() ?? `${Date.now()}`;
      void message.success(t("notices.dinged", { n: d.total }));
    } catch (err) {
      void message.error(errorText(err, t));
    }
  };
  return (
    <Space orientation="vertical" style={{ width: "100%" }} size="middle" data-testid="notice-stats">
      <Card
        title={n?.title ?? t("notices.stats")}
        extra={
          <Button type="link" icon={<FileTextOutlined />} onClick={() => navigate(`/notices/${id}`)}>
            {t("notices.view")}
          </Button>
        }
      >
        <Space align="center" size="large" wrap>
          <Progress
            type="circle"
            size={80}
            percent={s.totals.total ? Math.round((100 * s.totals.read) / s.totals.total) : 0}
            format={() => `${s.totals.read}/${s.totals.total}`}
          />
          <Space orientation="vertical" size={2}>
            <Typography.Text data-testid="notice-stats-read">{t("notices.readOf", { n: s.totals.read, m: s.totals.total })}</Typography.Text>
            {confirm && (
              <Typography.Text data-testid="notice-stats-confirmed">{t("notices.confirmedOf", { n: s.totals.confirmed, m: s.totals.total })}</Typography.Text>
            )}
            {n && !n.recalled_at && unread > 0 && (
              <Popconfirm title={t("notices.dingConfirm", { n: unread })} onConfirm={() => void dingUnread()} okText={t("notices.ding")} cancelText={t("common.cancel")}>
                <Button danger icon={<BellOutlined />} loading={ding.isPending} data-testid="notice-ding-unread">
                  {t("notices.ding")}
                </Button>
              </Popconfirm>
            )}
          </Space>
        </Space>
      </Card>
      <Card size="small" title={t("notices.byUnit")}>
        {s.units.length === 0 ? (
          <Empty />
        ) : (
          <Collapse
            accordion
            items={s.units.map((u) => ({
              key: String(u.unit_id ?? "name"),
              label: <UnitLabel u={u} confirm={confirm} />,
              children: <People id={id} unit={u.unit_id ?? "name"} confirm={confirm} />,
            }))}
          />
        )}
      </Card>
    </Space>
  );
}
