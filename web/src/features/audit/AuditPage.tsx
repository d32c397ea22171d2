import { Button, Card, Descriptions, Table, Typography } from "antd";
import { useIsPhone } from "../layout/AppLayout";
import dayjs from "dayjs";
import { useAudit } from "../../api/hooks";
import type { AuditOut } from "../../api/types";
import { useT } from "../../i18n";

function Json({ value }: { value: Record<string, unknown> | null }) {
  if (!value) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <pre className="bw-pre">
      {Object.entries(value)
        .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
        .join("\n")}
    </pre>
  );
}

export default function AuditPage() {
  const t = useT();
  const audit = useAudit();
  const rows = audit.data?.pages.flatMap((p) => p.items) ?? [];
  const phone = useIsPhone();
  const when = (v: string) => dayjs(v).format("YYYY-MM-DD HH:mm:ss");
  const target = (r: AuditOut) => `${r.target_type}${r.target_id != null ? ` #${r.target_id}` : ""}`;
  return (
    <Card title={t("audit.title")} styles={phone ? { body: { padding: 8 } } : undefined}>
      {phone ? (
        <div data-testid="audit-table">
          {rows.map((r) => (
            <Card key={r.id} size="small" style={{ marginBottom: 8 }} title={<Typography.Text code>{r.action}</Typography.Text>} extra={<span style={{ fontSize: 12, color: "#888" }}>{when(r.at)}</span>}>
              <Descriptions column={1} size="small">
                <Descriptions.Item label={t("audit.actor")}>{r.actor ? <bdi>{r.actor.name}</bdi> : t("audit.system")}</Descriptions.Item>
                <Descriptions.Item label={t("audit.target")}>{target(r)}</Descriptions.Item>
                {r.before && <Descriptions.Item label={t("audit.before")}><Json value={r.before} /></Descriptions.Item>}
                {r.after && <Descriptions.Item label={t("audit.after")}><Json value={r.after} /></Descriptions.Item>}
                {r.address && <Descriptions.Item label={t("audit.address")}>{r.address}</Descriptions.Item>}
              </Descriptions>
            </Card>
          ))}
        </div>
      ) : (
      <Table<AuditOut>
        data-testid="audit-table"
        rowKey="id"
        size="small"
        loading={audit.isPending}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 900 }}
        locale={{ emptyText: t("common.empty") }}
        columns={[
          { title: t("audit.at"), dataIndex: "at", width: 150, render: when },
          { title: t("audit.actor"), dataIndex: "actor", width: 110, render: (a: AuditOut["actor"]) => (a ? <bdi>{a.name}</bdi> : t("audit.system")) },
          { title: t("audit.action"), dataIndex: "action", width: 160, render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
          { title: t("audit.target"), key: "target", width: 120, render: (_: unknown, r) => target(r) },
          { title: t("audit.before"), dataIndex: "before", render: (v: AuditOut["before"]) => <Json value={v} /> },
          { title: t("audit.after"), dataIndex: "after", render: (v: AuditOut["after"]) => <Json value={v} /> },
          { title: t("audit.address"), dataIndex: "address", width: 120 },
        ]}
      />
      )}
      <div style={{ textAlign: "center", marginTop: 12 }}>
        {audit.hasNextPage ? (
          <Button onClick={() => void audit.fetchNextPage()} loading={audit.isFetchingNextPage}>
            {t("common.loadMore")}
          </Button>
        ) : (
          rows.length > 0 && <Typography.Text type="secondary">{t("common.noMore")}</Typography.Text>
        )}
      </div>
    </Card>
  );
}
