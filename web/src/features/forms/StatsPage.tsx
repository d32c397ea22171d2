/**
 * A collection's statistics (/forms/campaigns/:id?unit=&day=): the day's expected / submitted /
 * missing / late / abnormal and rate for a unit (the campaign's own first), the units just below
 * it (lagging first; a tap drills down, the breadcrumb goes back up), each question's answers
 * and the day-by-day trend as ECharts charts, and where names may be shown the people, missing
 * first, with the reasons of abnormal answers and their photos and files (at a class at once,
 * above it on demand).
 *
 * Below the figures: remind everyone missing, export, and the abnormal cases (StatsActions.tsx,
 * CasesPage.tsx).
 *
 * Live: the page follows `unit:<id>` of the unit shown (realtime/`useSubscription`) and fetches
 * its figures again on `form.counted` for the day shown, at most once every 2 s, and after every
 * (re)subscription, since events of a time the socket was away are lost.
 */
import { useEffect, useMemo, useRef, useState } from "react";
import { Breadcrumb, Button, Card, Empty, Input, List, Popconfirm, Progress, Result, Space, Spin, Tag, Typography } from "antd";
import { AlertOutlined, FileOutlined, StopOutlined } from "@ant-design/icons";
import { useLocation, useNavigate, useParams, useSearchParams } from "react-router-dom";
import { useQueryClient } from "@tanstack/react-query";
import dayjs from "dayjs";
import { errorText } from "../../app/errors";
import { useEvent, useSubscription } from "../../realtime";
import { useI18n, useT } from "../../i18n";
import type { MessageKey } from "../../i18n/locales/zh-CN";
import { formKeys, useCampaign, useCloseCampaign, usePeople, useStats, useTemplate, useTrend, type Figures, type QuestionCounts } from "./api";
import { Chart, type ChartOption } from "./Chart";
import { scheduleText } from "./CampaignsPage";
import { HandDownTags, UseOurTemplate } from "./HandDown";
import { ExportButton, RemindMissing } from "./StatsActions";
import { labelText, optionText, type FormField } from "./model";
import "./forms.css";

const LIVE_EVERY_MS = 2000;
const TREND_DAYS = 14;

interface Crumb {
  id: number;
  name: string;
}

function Numbers({ f }: { f: Figures }) {
  const t = useT();
  const items: [MessageKey, string | number, string?][] = [
    ["forms.stats.expected", f.expected],
    ["forms.stats.submitted", f.submitted, "#52c41a"],
    ["forms.stats.missing", f.missing, f.missing ? "#ff4d4f" : undefined],
    ["forms.stats.late", f.late, f.late ? "#fa8c16" : undefined],
    ["forms.stats.abnormal", f.abnormal, f.abnormal ? "#ff4d4f" : undefined],
    ["forms.stats.rate", `${Math.round(f.rate * 1000) / 10}%`],
  ];
  return (
    <div className="bw-stats-numbers" data-testid="stats-numbers">
      {items.map(([key, value, color]) => (
        <div key={key} className="bw-stats-number" data-testid={`stats-${key.split(".").pop()}`}>
          <b style={color ? { color } : undefined}>{value}</b>
          <span>{t(key)}</span>
        </div>
      ))}
    </div>
  );
}

/** Fetches `run` at most once every `ms`: the first call at once, later ones at the end of the wait. */
function useThrottled(run: () => void, ms: number): () => void {
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const fn = useRef(run);
  fn.current = run;
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  return useMemo(
    () => () => {
      const wait = last.current + ms - Date.now();
      if (wait <= 0) {
        last.current = Date.now();
        fn.current();
      } else if (timer.current == null) {
        timer.current = setTimeout(() => {
          timer.current = null;
          last.current = Date.now();
          fn.current();
        }, wait);
      }
    },
    [ms],
  );
}

function answerChart(q: QuestionCounts, field: FormField | undefined, locale: "zh-CN" | "en"): ChartOption {
  const rows = field?.kind === "temperature" || field?.kind === "rating" ? [...q.counts].sort((a, b) => Number(a.value) - Number(b.value)) : [...q.counts].reverse();
  return {
    grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: rows.map((c) => optionText(field, c.value, locale)) },
    series: [{ type: "bar", data: rows.map((c) => c.count), itemStyle: { color: "#1677ff" }, label: { show: true, position: "right" } }],
  };
}

export default function StatsPage() {
  const t = useT();
  const { locale } = useI18n();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const id = Number(useParams().id);
  const [params] = useSearchParams();
  const unitParam = params.get("unit");
  const unit = unitParam && /^\d+$/.test(unitParam) ? Number(unitParam) : null;
  const day = params.get("day") && dayjs(params.get("day")).isValid() ? params.get("day")! : dayjs().format("YYYY-MM-DD");
  const trail = ((location.state as { trail?: Crumb[] } | null)?.trail ?? []) as Crumb[];

  const campaign = useCampaign(id);
  const template = useTemplate(campaign.data?.template_id ?? null);
  const { stats, answers } = useStats(id, unit, day);
  const trend = useTrend(id, unit, dayjs(day).subtract(TREND_DAYS - 1, "day").format("YYYY-MM-DD"), day);
  const namesVisible = !!stats.data?.names_visible;
  // Names at a class (no units below) at once; above it on demand — each look is audited.
  const [namesAsked, setNamesAsked] = useState<number | null>(null);
  const leaf = stats.data != null && stats.data.children.length === 0;
  const showPeople = namesVisible && (leaf || namesAsked === stats.data?.unit_id);
  const people = usePeople(id, unit, day, showPeople);
  const close = useCloseCampaign(id);

  const refetch = () => void qc.invalidateQueries({ queryKey: formKeys.stats(id) });
  const live = useThrottled(refetch, LIVE_EVERY_MS);
  const shownUnit = stats.data?.unit_id ?? unit ?? campaign.data?.unit_id;
  const topic = shownUnit != null ? `unit:${shownUnit}` : "";
  const sub = useSubscription(topic ? [topic] : [], () => live());
  useEvent("form.counted", (ev) => {
    if (ev.period === day) live();
  });

  const go = (next: { unit?: number | null; day?: string }, nextTrail: Crumb[] = trail) => {
    const p = new URLSearchParams(params);
    if ("unit" in next) {
      if (next.unit == null) p.delete("unit");
      else p.set("unit", String(next.unit));
    }
    if (next.day) p.set("day", next.day);
    navigate(`${location.pathname}?${p.toString()}`, { state: { trail: nextTrail } });
  };

  if (campaign.isPending) return <Spin style={{ display: "block", margin: 48 }} />;
  if (campaign.isError) return <Result status="warning" title={errorText(campaign.error, t)} />;
  const c = campaign.data;
  const fields = new Map((template.data?.definition.fields ?? []).map((f) => [f.key, f]));
  const s = stats.data;

  const trendOption: ChartOption | null = trend.data?.length
    ? {
        grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        xAxis: { type: "category", data: trend.data.map((d) => d.period.slice(5)) },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: t("forms.stats.submitted"), type: "bar", data: trend.data.map((d) => d.figures.submitted), itemStyle: { color: "#52c41a" } },
          { name: t("forms.stats.missing"), type: "bar", data: trend.data.map((d) => d.figures.missing), itemStyle: { color: "#d9d9d9" } },
          { name: t("forms.stats.abnormal"), type: "line", data: trend.data.map((d) => d.figures.abnormal), itemStyle: { color: "#ff4d4f" } },
          { name: t("forms.stats.late"), type: "line", data: trend.data.map((d) => d.figures.late), itemStyle: { color: "#fa8c16" } },
        ],
      }
    : null;

  const crumbs = [{ id: null as number | null, name: c.unit_name }, ...trail.map((x) => ({ id: x.id as number | null, name: x.name }))];
  const liveNow = topic !== "" && sub.granted.includes(topic);

  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }} className="bw-forms-wide" data-testid="forms-stats">
      <Card
        size="small"
        title={<span style={{ whiteSpace: "normal" }}>{c.name}</span>}
        extra={
          !c.closed_at && (
            <Popconfirm title={t("forms.cmp.closeConfirm")} onConfirm={() => close.mutate()} okText={t("forms.cmp.close")} cancelText={t("common.cancel")}>
              <Button danger size="small" icon={<StopOutlined />} loading={close.isPending} data-testid="campaign-close">
                {t("forms.cmp.close")}
              </Button>
            </Popconfirm>
          )
        }
      >
        <Space orientation="vertical" style={{ width: "100%" }}>
          <Space size={4} wrap>
            {c.closed_at ? <Tag data-testid="campaign-closed">{t("forms.cmp.closed")}</Tag> : <Tag color="green">{t("forms.cmp.running")}</Tag>}
            <Tag data-testid="campaign-template-name">{c.template_name}</Tag>
            <HandDownTags c={c} />
            <Typography.Text type="secondary">{scheduleText(c, t, locale)}</Typography.Text>
            <Typography.Text type="secondary">{t("forms.cmp.targets", { n: c.target_count })}</Typography.Text>
            {liveNow ? <Tag color="processing" data-testid="stats-live">{t("forms.stats.live")}</Tag> : <Tag>{t("forms.stats.notLive")}</Tag>}
          </Space>
          <UseOurTemplate c={c} />
          <div className="bw-design-row">
            <Input type="date" addonBefore={t("forms.stats.day")} value={day} onChange={(e) => e.target.value && go({ day: e.target.value })} style={{ maxWidth: 260 }} data-testid="stats-day" />
          </div>
          <Breadcrumb
            data-testid="stats-breadcrumb"
            items={crumbs.map((cr, i) => ({
              title:
                i === crumbs.length - 1 ? (
                  <span>{cr.name}</span>
                ) : (
                  <a onClick={() => go({ unit: cr.id }, trail.slice(0, i))}>{cr.name}</a>
                ),
            }))}
          />
          {stats.isError ? <Result status="warning" title={errorText(stats.error, t)} /> : s ? <Numbers f={s.figures} /> : <Spin />}
          {s && (
            <div className="bw-stats-actions">
              <RemindMissing campaign={c} unit={unit} day={day} missing={s.figures.missing} />
              {s.names_visible && <ExportButton campaign={id} unit={unit} unitName={s.unit_name} day={day} />}
              {s.names_visible && (
                <Button block icon={<AlertOutlined />} danger={s.figures.abnormal > 0} onClick={() => navigate(`/forms/cases?unit=${s.unit_id}&campaign=${id}`)} data-testid="stats-cases">
                  {t("forms.cases.open", { n: s.figures.abnormal })}
                </Button>
              )}
            </div>
          )}
        </Space>
      </Card>

      {s && s.children.length > 0 && (
        <Card size="small" title={t("forms.stats.below")}>
          <List
            size="small"
            dataSource={s.children}
            renderItem={(u) => (
              <List.Item className="bw-stats-unit" data-testid="stats-child" onClick={() => go({ unit: u.unit_id }, [...trail, { id: u.unit_id, name: u.name }])}>
                <div style={{ flex: 1, minWidth: 0 }}>
                  <Typography.Text strong>{u.name}</Typography.Text>
                  <Progress percent={Math.round(u.figures.rate * 100)} size="small" status={u.figures.rate >= 1 ? "success" : "active"} />
                </div>
                <Space size={4} wrap style={{ justifyContent: "flex-end" }}>
                  <Typography.Text>
                    {u.figures.submitted}/{u.figures.expected}
                  </Typography.Text>
                  {u.figures.abnormal > 0 && <Tag color="red">{t("forms.stats.abnormal")} {u.figures.abnormal}</Tag>}
                  {u.figures.late > 0 && <Tag color="orange">{t("forms.stats.late")} {u.figures.late}</Tag>}
                </Space>
              </List.Item>
            )}
          />
        </Card>
      )}

      {namesVisible && !showPeople && (
        <Button block onClick={() => setNamesAsked(stats.data?.unit_id ?? null)} data-testid="stats-show-people">
          {t("forms.stats.showPeople")}
        </Button>
      )}
      {showPeople && (
        <Card size="small" title={t("forms.stats.people")} data-testid="stats-people">
          <List
            size="small"
            loading={people.isPending}
            dataSource={people.data ?? []}
            locale={{ emptyText: <Empty /> }}
            renderItem={(p) => (
              <List.Item data-testid="stats-person" data-submitted={p.submitted ? "yes" : "no"}>
                <div className="bw-form-person">
                  <Typography.Text>{p.name}</Typography.Text>
                  {(p.files ?? []).length > 0 && (
                    <div className="bw-form-person-files" aria-label={t("forms.stats.files")} data-testid="stats-person-files">
                      {(p.files ?? []).map((f) => (
                        <a key={f.id} href={f.url} target="_blank" rel="noreferrer" title={f.name} data-testid="stats-person-file">
                          {f.has_thumbnail ? (
                            <img src={`${f.url}/thumbnail`} alt={f.name} className="bw-form-file-thumb bw-form-file-thumb-small" />
                          ) : (
                            <span className="bw-form-file-link">
                              <FileOutlined /> {f.name}
                            </span>
                          )}
                        </a>
                      ))}
                    </div>
                  )}
                </div>
                <Space size={4} wrap style={{ justifyContent: "flex-end" }}>
                  {p.submitted ? <Tag color="green">{t("forms.stats.submittedTag")}</Tag> : <Tag color="red">{t("forms.stats.missingTag")}</Tag>}
                  {p.late && <Tag color="orange">{t("forms.stats.lateTag")}</Tag>}
                  {p.abnormal && p.reasons.map((r) => <Tag key={r} color="red">{r}</Tag>)}
                  {p.submitted_at && <Typography.Text type="secondary">{dayjs(p.submitted_at).format("HH:mm")}</Typography.Text>}
                </Space>
              </List.Item>
            )}
          />
        </Card>
      )}

      <Card size="small" title={t("forms.stats.answers")} data-testid="stats-answers">
        {(answers.data ?? []).length === 0 ? (
          <Empty description={t("forms.stats.noAnswers")} />
        ) : (
          <Space orientation="vertical" style={{ width: "100%" }} size="large">
            {(answers.data ?? []).map((q) => (
              <div key={q.key} data-testid="stats-question">
                <Typography.Text strong>{labelText(fields.get(q.key)?.label, locale) || q.key}</Typography.Text>
                <Chart option={answerChart(q, fields.get(q.key), locale)} height={Math.max(120, 34 * q.counts.length + 30)} />
              </div>
            ))}
          </Space>
        )}
      </Card>

      <Card size="small" title={t("forms.stats.trend")}>
        {trendOption ? <Chart option={trendOption} height={240} testId="stats-trend" /> : <Empty />}
      </Card>
    </Space>
  );
}
