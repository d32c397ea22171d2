/**
 * The team's reports (/reports/team?template=&day=&unit=), for heads: the period's figures
 * (expected, on time, late, not submitted — WeCom's unreport list), the team's totals of each
 * number question with a chart per person (ECharts, forms' Chart), the lists of people (a tap
 * opens a report) and an XLSX export.
 */
import { lazy, Suspense, useMemo } from "react";
import { Alert, Button, Card, DatePicker, Empty, List, Select, Space, Spin, Statistic, Tag, Typography } from "antd";
import { DownloadOutlined } from "@ant-design/icons";
import { useNavigate, useSearchParams } from "react-router-dom";
import dayjs from "dayjs";
import { errorText } from "../../app/errors";
import { useT } from "../../i18n";
import type { ChartOption } from "../forms/Chart";
import { exportUrl, useReportTemplates, useTeam, type TeamOut } from "./api";
import "./reports.css";

const Chart = lazy(() => import("../forms/Chart").then((m) => ({ default: m.Chart })));

function People({ title, people, color, testId, labels }: { title: string; people: TeamOut["submitted"]; color?: string; testId: string; labels: Record<string, string> }) {
  const navigate = useNavigate();
  if (!people.length) return null;
  return (
    <div style={{ marginTop: 12 }} data-testid={testId}>
      <Typography.Text strong>{title}</Typography.Text>
      <List
        size="small"
        dataSource={people}
        renderItem={(p) => (
          <List.Item
            className={p.report_id ? "bw-reports-item" : undefined}
            onClick={p.report_id ? () => navigate(`/reports/${p.report_id}`) : undefined}
          >
            <Space wrap>
              <Tag color={color}>{p.name}</Tag>
              {p.submitted_at && <Typography.Text type="secondary">{dayjs(p.submitted_at).format("MM-DD HH:mm")}</Typography.Text>}
              {Object.entries(p.numbers).map(([k, v]) => (
                <Typography.Text key={k} type="secondary">
                  {labels[k] ?? k}: {v}
                </Typography.Text>
              ))}
            </Space>
          </List.Item>
        )}
      />
    </div>
  );
}

export default function TeamPage() {
  const t = useT();
  const [params, setParams] = useSearchParams();
  const templates = useReportTemplates();
  const chosen = params.get("template") ? Number(params.get("template")) : (templates.data?.[0]?.id ?? null);
  const day = params.get("day");
  const unit = params.get("unit") ? Number(params.get("unit")) : null;
  const team = useTeam(chosen, unit, day);
  const set = (k: string, v: string | null) => {
    const next = new URLSearchParams(params);
    if (v == null) next.delete(k);
    else next.set(k, v);
    setParams(next, { replace: true });
  };
  const v = team.data;
  const option = useMemo<ChartOption | null>(() => {
    if (!v || !v.sums.length) return null;
    const rows = [...v.submitted, ...v.late];
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: 16, bottom: 30, top: 40 },
      xAxis: { type: "category", data: rows.map((p) => p.name) },
      yAxis: { type: "value" },
      series: v.sums.map((s) => ({ type: "bar", name: s.label, data: rows.map((p) => p.numbers[s.key] ?? 0) })),
    } as ChartOption;
  }, [v]);

  const labels = Object.fromEntries((v?.sums ?? []).map((s) => [s.key, s.label]));
  if (templates.isPending) return <Spin />;
  if (!templates.data?.length) return <Empty description={t("reports.noTemplates")} />;
  return (
    <Card className="bw-reports-page" title={t("reports.teamTitle")}>
      <Space wrap style={{ marginBottom: 12 }}>
        <Select
          style={{ minWidth: 180 }}
          value={chosen}
          options={templates.data.map((x) => ({ value: x.id, label: x.name }))}
          onChange={(id: number) => set("template", String(id))}
          data-testid="reports-team-template"
        />
        <DatePicker
          value={day ? dayjs(day) : dayjs()}
          allowClear={false}
          onChange={(d) => set("day", d ? d.format("YYYY-MM-DD") : null)}
          data-testid="reports-team-day"
        />
        {chosen != null && (
          <Button icon={<DownloadOutlined />} href={exportUrl(chosen, unit, day)} data-testid="reports-team-export">
            {t("reports.export")}
          </Button>
        )}
      </Space>
      {team.isPending ? (
        <Spin />
      ) : team.isError || !v ? (
        <Alert type="error" showIcon title={errorText(team.error, t)} />
      ) : (
        <div data-testid="reports-team">
          <div className="bw-reports-figures">
            <Tag data-testid="reports-team-expected">{t("reports.expected", { n: v.expected })}</Tag>
            <Tag color="green" data-testid="reports-team-ontime">{t("reports.onTime", { n: v.submitted.length })}</Tag>
            <Tag color="orange" data-testid="reports-team-late">{t("reports.lateN", { n: v.late.length })}</Tag>
            <Tag color="red" data-testid="reports-team-missing">{t("reports.missing", { n: v.unreported.length })}</Tag>
          </div>
          {v.sums.length > 0 && (
            <>
              <Typography.Text strong>{t("reports.sum")}</Typography.Text>
              <Space wrap size="large" style={{ display: "flex", margin: "8px 0" }} data-testid="reports-team-sums">
                {v.sums.map((s) => (
                  <Statistic key={s.key} title={s.label} value={s.total} suffix={s.unit ?? undefined} />
                ))}
              </Space>
              {option && (
                <Suspense fallback={<Spin />}>
                  <Chart option={option} testId="reports-team-chart" />
                </Suspense>
              )}
            </>
          )}
          <People title={t("reports.missing", { n: v.unreported.length })} people={v.unreported} color="red" testId="reports-team-unreported" labels={labels} />
          <People title={t("reports.lateN", { n: v.late.length })} people={v.late} color="orange" testId="reports-team-late-list" labels={labels} />
          <People title={t("reports.onTime", { n: v.submitted.length })} people={v.submitted} color="green" testId="reports-team-submitted" labels={labels} />
        </div>
      )}
    </Card>
  );
}
