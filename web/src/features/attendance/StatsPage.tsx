/**
 * A unit's month (/attendance/stats?unit=&month=), for its heads: per person working days,
 * present, late, early, missing check-outs, absent, leave and field work, the totals, the
 * exceptions list and an XLSX export.
 */
import { Alert, Button, Card, DatePicker, Empty, Select, Space, Spin, Table, Tag } from "antd";
import { DownloadOutlined } from "@ant-design/icons";
import { useSearchParams } from "react-router-dom";
import dayjs from "dayjs";
import { useMe } from "../../api/hooks";
import { errorText } from "../../app/errors";
import { useT, type MessageKey } from "../../i18n";
import { STATUS_COLOR, exportUrl, useMonth, type MonthOut } from "./api";
import "./attendance.css";

const COLS = ["expected", "present", "late", "early", "no_out", "absent", "leave", "field"] as const;

export default function StatsPage() {
  const t = useT();
  const me = useMe().data;
  const [params, setParams] = useSearchParams();
  const units = (me?.memberships ?? []).filter((m) => m.role === "head").map((m) => m.unit);
  const unit = params.get("unit") ? Number(params.get("unit")) : (units[0]?.id ?? null);
  const month = params.get("month") ?? dayjs().format("YYYY-MM");
  const view = useMonth(unit, month);
  const set = (k: string, v: string) => {
    const next = new URLSearchParams(params);
    next.set(k, v);
    setParams(next, { replace: true });
  };
  const v = view.data;
  const columns = [
    { title: t("attendance.col.name"), dataIndex: "name", key: "name", fixed: "left" as const },
    ...COLS.map((c) => ({ title: t(`attendance.col.${c}` as MessageKey), dataIndex: c, key: c })),
  ];
  return (
    <Card className="bw-att-page" title={t("attendance.stats.title")} style={{ maxWidth: 960 }}>
      <Space wrap style={{ marginBottom: 12 }}>
        {units.length > 0 && (
          <Select
            style={{ minWidth: 160 }}
            aria-label={t("attendance.stats.unit")}
            value={unit}
            options={units.map((u) => ({ value: u.id, label: u.name }))}
            onChange={(id: number) => set("unit", String(id))}
          />
        )}
        <DatePicker
          picker="month"
          aria-label={t("attendance.stats.month")}
          value={dayjs(`${month}-01`)}
          allowClear={false}
          onChange={(d) => d && set("month", d.format("YYYY-MM"))}
        />
        {unit != null && (
          <Button icon={<DownloadOutlined />} href={exportUrl(unit, month)} data-testid="attendance-export">
            {t("attendance.stats.export")}
          </Button>
        )}
      </Space>
      {unit == null ? (
        <Empty />
      ) : view.isPending ? (
        <Spin />
      ) : view.isError || !v ? (
        <Alert type="error" showIcon title={errorText(view.error, t)} />
      ) : (
        <>
          <Table<MonthOut["people"][number]>
            size="small"
            rowKey="id"
            scroll={{ x: true }}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            columns={columns}
            dataSource={v.people}
            data-testid="attendance-stats"
            summary={() => (
              <Table.Summary.Row>
                <Table.Summary.Cell index={0}>{t("attendance.total")}</Table.Summary.Cell>
                {COLS.map((c, i) => (
                  <Table.Summary.Cell key={c} index={i + 1}>{v.totals[c]}</Table.Summary.Cell>
                ))}
              </Table.Summary.Row>
            )}
          />
          <h4 style={{ marginTop: 16 }}>{t("attendance.stats.exceptions")}</h4>
          {v.exceptions.length === 0 ? (
            <Empty description={t("attendance.stats.noExceptions")} />
          ) : (
            <Table<MonthOut["exceptions"][number]>
              size="small"
              rowKey={(e) => `${e.person_id}-${e.day}`}
              pagination={{ pageSize: 50, hideOnSinglePage: true }}
              dataSource={v.exceptions}
              data-testid="attendance-exceptions"
              columns={[
                { title: t("attendance.col.day"), dataIndex: "day", key: "day" },
                { title: t("attendance.col.name"), dataIndex: "name", key: "name" },
                {
                  title: t("attendance.col.status"),
                  key: "status",
                  render: (_: unknown, e) => <Tag color={STATUS_COLOR[e.status]}>{t(`attendance.status.${e.status}` as MessageKey)}</Tag>,
                },
                { title: t("attendance.col.first"), key: "first", render: (_: unknown, e) => (e.first ? dayjs(e.first).format("HH:mm") : "—") },
                { title: t("attendance.col.last"), key: "last", render: (_: unknown, e) => (e.last ? dayjs(e.last).format("HH:mm") : "—") },
              ]}
            />
          )}
        </>
      )}
    </Card>
  );
}
