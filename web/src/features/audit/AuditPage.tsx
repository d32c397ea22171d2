/**
 * Installation admins: the audit log in the reader's words (the server words actions, fields
 * and values; people and units come by name with a link), filters (who, what, when, which
 * unit) and an Excel export of what the filters select. A phone gets cards and the filters in
 * a drawer.
 */
import { useState, type ReactNode } from "react";
import { Link } from "react-router-dom";
import { App, Badge, Button, Card, DatePicker, Descriptions, Drawer, Empty, Form, Select, Space, Spin, Table, Typography } from "antd";
import { DownloadOutlined, FilterOutlined } from "@ant-design/icons";
import { useIsPhone } from "../layout/AppLayout";
import { UnitTreeSelect } from "../layout/UnitTreeSelect";
import { PersonSelect } from "../people/PersonSelect";
import { useI18n, type TFunction } from "../../i18n";
import {
  NO_FILTERS,
  activeFilters,
  downloadAudit,
  readerZone,
  useAudit,
  useAuditActions,
  type AuditChange,
  type AuditFilters,
  type AuditOut,
  type AuditRef,
  type AuditShown,
} from "./api";
import { ApiError } from "../../api/http";

/** A person opens their card in the directory, a unit its page; what no longer exists, no link. */
export function RefLink({ r }: { r: AuditRef }) {
  if (r.deleted || r.id == null) return <Typography.Text type="secondary">{r.label}</Typography.Text>;
  const label = <bdi>{r.label}</bdi>;
  if (r.type === "person") return <Link to={`/directory?person=${r.id}`}>{label}</Link>;
  if (r.type === "unit") return <Link to={`/units?unit=${r.id}`}>{label}</Link>;
  return label;
}

function Value({ v }: { v: AuditShown }) {
  if (v.ref) return <RefLink r={v.ref} />;
  if (v.text === "—") return <Typography.Text type="secondary">—</Typography.Text>;
  return <bdi>{v.text}</bdi>;
}

function Changes({ changes }: { changes: AuditChange[] }) {
  if (!changes.length) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <ul className="bw-audit-changes" data-testid="audit-changes">
      {changes.map((c) => (
        <li key={c.field}>
          <span className="bw-audit-field">{c.label}</span>
          {": "}
          {c.before && c.after ? (
            <>
              <Value v={c.before} /> <span className="bw-audit-arrow">→</span> <Value v={c.after} />
            </>
          ) : (
            <Value v={(c.after ?? c.before)!} />
          )}
        </li>
      ))}
    </ul>
  );
}

function useWhen() {
  const { locale } = useI18n();
  const fmt = new Intl.DateTimeFormat(locale === "en" ? "en-GB" : "zh-CN", { dateStyle: "medium", timeStyle: "medium" });
  return (v: string) => fmt.format(new Date(v));
}

function Actor({ r, t }: { r: AuditOut; t: TFunction }) {
  return r.actor ? <RefLink r={r.actor} /> : <Typography.Text type="secondary">{t("audit.system")}</Typography.Text>;
}

function FilterFields({ value, onChange, phone }: { value: AuditFilters; onChange: (f: AuditFilters) => void; phone: boolean }) {
  const { t, locale } = useI18n();
  const actions = useAuditActions(locale);
  const set = (patch: Partial<AuditFilters>) => onChange({ ...value, ...patch });
  const field = (label: string, control: ReactNode, extra?: string) => (
    <Form.Item label={label} extra={extra} style={{ marginBottom: phone ? 16 : 8, minWidth: phone ? undefined : 200 }}>
      {control}
    </Form.Item>
  );
  const when = phone ? (
    <Space.Compact style={{ width: "100%" }}>
      <DatePicker value={value.from} onChange={(d) => set({ from: d })} placeholder={t("audit.from")} inputReadOnly data-testid="audit-from" style={{ width: "50%" }} />
      <DatePicker value={value.to} onChange={(d) => set({ to: d })} placeholder={t("audit.to")} inputReadOnly data-testid="audit-to" style={{ width: "50%" }} />
    </Space.Compact>
  ) : (
    <DatePicker.RangePicker
      value={[value.from, value.to]}
      allowEmpty={[true, true]}
      onChange={(range) => set({ from: range?.[0] ?? null, to: range?.[1] ?? null })}
      placeholder={[t("audit.from"), t("audit.to")]}
      data-testid="audit-when"
    />
  );
  return (
    <Form layout={phone ? "vertical" : "inline"} style={phone ? undefined : { rowGap: 8 }} data-testid="audit-filters">
      {field(
        t("audit.filterWho"),
        <PersonSelect
          value={value.actorId}
          onChange={(id) => set({ actorId: id })}
          onClear={() => set({ actorId: null })}
          placeholder={t("audit.filterWhoPlaceholder")}
          includeInactive
          data-testid="audit-who"
        />,
      )}
      {field(
        t("audit.filterWhat"),
        <Select
          mode="multiple"
          allowClear
          data-testid="audit-what"
          style={{ width: phone ? "100%" : 300 }}
          placeholder={t("audit.filterWhatPlaceholder")}
          value={value.actions}
          onChange={(v: string[]) => set({ actions: v })}
          loading={actions.isPending}
          options={(actions.data ?? []).map((a) => ({ value: a.action, label: a.label }))}
          showSearch={{ optionFilterProp: "label" }}
        />,
      )}
      {field(t("audit.filterWhen"), when)}
      {field(
        t("audit.filterUnit"),
        <UnitTreeSelect value={value.unitId} onChange={(id) => set({ unitId: id })} placeholder={t("audit.filterUnitPlaceholder")} data-testid="audit-unit" />,
        phone ? t("audit.filterUnitHint") : undefined,
      )}
    </Form>
  );
}

export default function AuditPage() {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const phone = useIsPhone();
  const [filters, setFilters] = useState<AuditFilters>(NO_FILTERS);
  const [drawer, setDrawer] = useState(false);
  const [exporting, setExporting] = useState(false);
  const audit = useAudit(filters, locale);
  const rows = audit.data?.pages.flatMap((p) => p.items) ?? [];
  const when = useWhen();
  const active = activeFilters(filters);

  const exportXlsx = () => {
    setExporting(true);
    downloadAudit(filters)
      .then(() => void message.success(t("audit.exported")))
      .catch((e: unknown) => void message.error(e instanceof ApiError ? e.message : String(e)))
      .finally(() => setExporting(false));
  };

  const toolbar = (
    <Space wrap>
      {phone && (
        <Badge count={active} size="small">
          <Button icon={<FilterOutlined />} onClick={() => setDrawer(true)} data-testid="audit-filter-open">
            {t("audit.filters")}
          </Button>
        </Badge>
      )}
      <Button icon={<DownloadOutlined />} onClick={exportXlsx} loading={exporting} data-testid="audit-export">
        {phone ? null : t("audit.export")}
      </Button>
    </Space>
  );

  return (
    <Card title={t("audit.title")} extra={toolbar} styles={phone ? { body: { padding: 8 } } : undefined} className="bw-wrap-head">
      {!phone && (
        <div style={{ marginBottom: 12 }}>
          <FilterFields value={filters} onChange={setFilters} phone={false} />
          <Space size={12} style={{ marginTop: 4 }}>
            {active > 0 && (
              <Button size="small" onClick={() => setFilters(NO_FILTERS)} data-testid="audit-reset">
                {t("audit.reset")}
              </Button>
            )}
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t("audit.timeZone", { zone: readerZone() })}
            </Typography.Text>
          </Space>
        </div>
      )}
      {phone && (
        <Drawer
          open={drawer}
          onClose={() => setDrawer(false)}
          title={t("audit.filters")}
          placement="bottom"
          size="85%"
          data-testid="audit-filter-drawer"
          footer={
            <Space style={{ width: "100%", justifyContent: "space-between" }}>
              <Button onClick={() => setFilters(NO_FILTERS)} disabled={!active} data-testid="audit-reset">
                {t("audit.reset")}
              </Button>
              <Button type="primary" onClick={() => setDrawer(false)} data-testid="audit-apply">
                {t("audit.apply")}
              </Button>
            </Space>
          }
        >
          <FilterFields value={filters} onChange={setFilters} phone />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t("audit.timeZone", { zone: readerZone() })}
          </Typography.Text>
        </Drawer>
      )}
      {phone ? (
        <div data-testid="audit-table">
          {audit.isPending ? (
            <Spin style={{ display: "block", margin: 32 }} />
          ) : rows.length === 0 ? (
            <Empty description={active ? t("audit.empty") : t("common.empty")} />
          ) : (
            rows.map((r) => (
              <Card
                key={r.id}
                size="small"
                style={{ marginBottom: 8 }}
                data-testid="audit-card"
                title={<span data-testid="audit-action">{r.action_label}</span>}
                extra={<span style={{ fontSize: 12, color: "#888" }}>{when(r.at)}</span>}
              >
                <Descriptions column={1} size="small">
                  <Descriptions.Item label={t("audit.actor")}>
                    <Actor r={r} t={t} />
                  </Descriptions.Item>
                  <Descriptions.Item label={t("audit.target")}>
                    <RefLink r={r.target} />
                  </Descriptions.Item>
                  {r.changes.length > 0 && (
                    <Descriptions.Item label={t("audit.changes")}>
                      <Changes changes={r.changes} />
                    </Descriptions.Item>
                  )}
                  {r.address && <Descriptions.Item label={t("audit.address")}>{r.address}</Descriptions.Item>}
                </Descriptions>
              </Card>
            ))
          )}
        </div>
      ) : (
        <Table<AuditOut>
          data-testid="audit-table"
          rowKey="id"
          size="small"
          loading={audit.isPending}
          dataSource={rows}
          pagination={false}
          scroll={{ x: 960 }}
          locale={{ emptyText: active ? t("audit.empty") : t("common.empty") }}
          columns={[
            { title: t("audit.at"), dataIndex: "at", width: 170, render: when },
            { title: t("audit.actor"), key: "actor", width: 120, render: (_: unknown, r) => <Actor r={r} t={t} /> },
            { title: t("audit.action"), key: "action", width: 150, render: (_: unknown, r) => <span data-testid="audit-action">{r.action_label}</span> },
            { title: t("audit.target"), key: "target", width: 150, render: (_: unknown, r) => <RefLink r={r.target} /> },
            { title: t("audit.changes"), key: "changes", render: (_: unknown, r) => <Changes changes={r.changes} /> },
            { title: t("audit.address"), dataIndex: "address", width: 120, render: (v: string | null) => v ?? "—" },
          ]}
        />
      )}
      <div style={{ textAlign: "center", marginTop: 12 }}>
        {audit.hasNextPage ? (
          <Button onClick={() => void audit.fetchNextPage()} loading={audit.isFetchingNextPage} data-testid="audit-more">
            {t("common.loadMore")}
          </Button>
        ) : (
          rows.length > 0 && <Typography.Text type="secondary">{t("common.noMore")}</Typography.Text>
        )}
      </div>
    </Card>
  );
}
