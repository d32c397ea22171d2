/**
 * My attendance (/attendance/mine?month=), phone-sized: a month of my days under my rule —
 * each day up to today with its status and first and last punch, and the days ahead that are
 * on approved leave — the latest first, with how many days of each status, and the months
 * before and after.
 */
import { Alert, Button, Card, Empty, List, Space, Spin, Tag, Typography } from "antd";
import { LeftOutlined, RightOutlined } from "@ant-design/icons";
import { useSearchParams } from "react-router-dom";
import dayjs from "dayjs";
import { errorText } from "../../app/errors";
import { useT, type MessageKey } from "../../i18n";
import { STATUS_COLOR, useMyMonth, type Status } from "./api";
import "./attendance.css";

const COUNTED: Status[] = ["leave", "late", "early", "late_early", "no_out", "absent", "normal"];

export default function MyMonthPage() {
  const t = useT();
  const [params, setParams] = useSearchParams();
  const month = params.get("month") ?? dayjs().format("YYYY-MM");
  const view = useMyMonth(month);
  const go = (delta: number) => {
    const next = new URLSearchParams(params);
    next.set("month", dayjs(`${month}-01`).add(delta, "month").format("YYYY-MM"));
    setParams(next, { replace: true });
  };
  const v = view.data;
  const status = (s: Status) => t(`attendance.status.${s}` as MessageKey);
  return (
    <Card className="bw-att-page" title={t("attendance.mine.title")}>
      <Space style={{ width: "100%", justifyContent: "space-between", marginBottom: 12 }}>
        <Button icon={<LeftOutlined />} aria-label={t("attendance.mine.prev")} onClick={() => go(-1)} data-testid="attendance-mine-prev" />
        <Typography.Text strong data-testid="attendance-mine-month">{month}</Typography.Text>
        <Button icon={<RightOutlined />} aria-label={t("attendance.mine.next")} onClick={() => go(1)} data-testid="attendance-mine-next" />
      </Space>
      {view.isPending ? (
        <Spin />
      ) : view.isError || !v ? (
        <Alert type="error" showIcon title={errorText(view.error, t)} />
      ) : !v.rule_name ? (
        <Empty description={t("attendance.noRule")} />
      ) : v.days.length === 0 ? (
        <Empty description={t("attendance.mine.empty")} />
      ) : (
        <Space direction="vertical" style={{ width: "100%" }}>
          <Space wrap data-testid="attendance-mine-counts">
            {COUNTED.map((s) => {
              const n = v.days.filter((d) => d.status === s).length;
              return n > 0 ? (
                <Tag key={s} color={STATUS_COLOR[s]} data-testid={`attendance-mine-count-${s}`}>
                  {t("attendance.mine.count", { status: status(s), n })}
                </Tag>
              ) : null;
            })}
          </Space>
          <List
            size="small"
            data-testid="attendance-mine-days"
            dataSource={[...v.days].reverse()}
            renderItem={(d) => {
              const day = dayjs(d.day);
              return (
                <List.Item data-testid={`attendance-day-${d.day}`}>
                  <Space wrap>
                    <Typography.Text>
                      {t("attendance.mine.day", { md: day.format("MM-DD"), weekday: t(`attendance.weekday.${day.day() || 7}` as MessageKey) })}
                    </Typography.Text>
                    <Tag color={STATUS_COLOR[d.status]}>{status(d.status)}</Tag>
                    {d.first && (
                      <Typography.Text type="secondary">
                        {d.last
                          ? t("attendance.mine.times", { first: dayjs(d.first).format("HH:mm"), last: dayjs(d.last).format("HH:mm") })
                          : dayjs(d.first).format("HH:mm")}
                      </Typography.Text>
                    )}
                  </Space>
                </List.Item>
              );
            }}
          />
        </Space>
      )}
    </Card>
  );
}
