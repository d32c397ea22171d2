/**
 * 发送记录 (installation admins): every email and text message Bellwork sent, kept in the outbox
 * (no provider for its channel: what would have been sent, to pass on by hand) or failed, and why;
 * who carried it (SMTP, Alibaba Cloud SMS, the outbox) and the provider's reference for it (Aliyun's
 * BizId, an email's Message-ID) to look it up in the provider's console.
 */
import { useState } from "react";
import { Card, Empty, List, Segmented, Space, Table, Tag, Typography } from "antd";
import { useInfiniteQuery } from "@tanstack/react-query";
import dayjs from "dayjs";
import { api, call } from "../../api/http";
import type { components } from "../../api/schema";
import { useT, type TFunction } from "../../i18n";
import { useIsPhone } from "../layout/AppLayout";
import { Button } from "antd";

type Delivery = components["schemas"]["DeliveryOut"];
type Status = Delivery["status"];
const COLORS: Record<Status, string> = { queued: "blue", sent: "green", delivered: "green", outbox: "gold", failed: "red" };
const STATUSES: Status[] = ["outbox", "sent", "delivered", "queued", "failed"];

function useDeliveries(status: Status | null) {
  return useInfiniteQuery({
    queryKey: ["deliveries", status],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      call(api.GET("/api/v1/deliveries", { params: { query: { limit: 50, ...(status ? { status } : {}), ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.next_cursor ?? null,
    refetchInterval: 10_000,
  });
}

const channel = (d: Delivery, t: TFunction) =>
  d.channel === "email" ? t("delivery.email") : d.channel === "voice" ? t("delivery.voice") : t("delivery.sms");

const PROVIDERS = ["aliyun", "smtp", "outbox"] as const;
type KnownProvider = (typeof PROVIDERS)[number];
const providerName = (name: string, t: TFunction) =>
  (PROVIDERS as readonly string[]).includes(name) ? t(`delivery.provider.${name as KnownProvider}`) : name;

/** Who carried it and, where the provider gave one, its reference (copyable). */
function Carrier({ d, t }: { d: Delivery; t: TFunction }) {
  if (!d.provider) return <>—</>;
  return (
    <Space orientation="vertical" size={0} data-testid="delivery-provider">
      <Typography.Text>{providerName(d.provider, t)}</Typography.Text>
      {d.reference && (
        <Typography.Text type="secondary" copyable={{ text: d.reference }} style={{ fontSize: 12, wordBreak: "break-all" }} data-testid="delivery-reference">
          {t("delivery.reference")}: {d.reference}
        </Typography.Text>
      )}
    </Space>
  );
}

export default function DeliveriesPage() {
  const t = useT();
  const phone = useIsPhone();
  const [status, setStatus] = useState<Status | null>(null);
  const q = useDeliveries(status);
  const rows = q.data?.pages.flatMap((p) => p.items) ?? [];
  const tag = (d: Delivery) => <Tag color={COLORS[d.status]}>{t(`delivery.status.${d.status}`)}</Tag>;
  return (
    <Card title={t("delivery.title")} data-testid="deliveries-page">
      <Space orientation="vertical" style={{ width: "100%" }} size="middle">
        <Typography.Text type="secondary">{t("delivery.hint")}</Typography.Text>
        <Segmented
          value={status ?? "all"}
          onChange={(v) => setStatus(v === "all" ? null : (v as Status))}
          options={[{ value: "all", label: t("delivery.all") }, ...STATUSES.map((s) => ({ value: s, label: t(`delivery.status.${s}`) }))]}
          data-testid="deliveries-filter"
        />
        {phone ? (
          <List
            loading={q.isPending}
            dataSource={rows}
            locale={{ emptyText: <Empty description={t("common.empty")} /> }}
            renderItem={(d) => (
              <List.Item data-testid="delivery-row">
                <Space orientation="vertical" size={2} style={{ width: "100%" }}>
                  <Space wrap>
                    {tag(d)}
                    <Typography.Text strong>{channel(d, t)}</Typography.Text>
                    <Typography.Text>{d.address}</Typography.Text>
                  </Space>
                  <Typography.Paragraph style={{ margin: 0, whiteSpace: "pre-wrap" }} data-testid="delivery-body">
                    {d.body}
                  </Typography.Paragraph>
                  {d.error && <Typography.Text type="danger">{d.error}</Typography.Text>}
                  <Carrier d={d} t={t} />
                  <Typography.Text type="secondary">{dayjs(d.created_at).format("YYYY-MM-DD HH:mm:ss")}</Typography.Text>
                </Space>
              </List.Item>
            )}
          />
        ) : (
          <Table<Delivery>
            rowKey="id"
            size="small"
            loading={q.isPending}
            dataSource={rows}
            pagination={false}
            onRow={() => ({ "data-testid": "delivery-row" }) as object}
            columns={[
              { title: t("delivery.time"), dataIndex: "created_at", width: 170, render: (v: string) => dayjs(v).format("YYYY-MM-DD HH:mm:ss") },
              { title: t("delivery.channel"), width: 90, render: (_, d) => channel(d, t) },
              { title: t("delivery.to"), dataIndex: "address", width: 200 },
              { title: t("delivery.body"), render: (_, d) => <span data-testid="delivery-body" style={{ whiteSpace: "pre-wrap" }}>{d.subject ? `${d.subject}\n` : ""}{d.body}</span> },
              { title: t("delivery.statusCol"), width: 100, render: (_, d) => tag(d) },
              { title: t("delivery.provider"), width: 180, render: (_, d) => <Carrier d={d} t={t} /> },
              { title: t("delivery.error"), dataIndex: "error", width: 220, render: (v: string | null) => (v ? <Typography.Text type="danger">{v}</Typography.Text> : "—") },
            ]}
          />
        )}
        {q.hasNextPage && (
          <Button block loading={q.isFetchingNextPage} onClick={() => void q.fetchNextPage()}>
            {t("common.loadMore")}
          </Button>
        )}
      </Space>
    </Card>
  );
}
