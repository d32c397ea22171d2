/**
 * The statistics page's actions on the unit and day shown:
 *
 * - 提醒未填写的人: reminds everyone still missing below the unit (`POST …/reminders`), in the
 *   app or by DING (the collection's way first). The server allows one per 5 minutes at a unit
 *   for a day and refuses sooner ones with the time left, shown here; the last reminder and
 *   when the next may go are shown under the button.
 * - 导出: XLSX or CSV, the day shown or a range, at the unit shown (`POST …/exports`). A small
 *   export is made at once and downloads straight away; a large one is made by a job: the
 *   dialog says it is being prepared and offers the file when `form.export_ready` arrives (or,
 *   should that event be lost while the socket was away, when a look every 10 s finds it done).
 */
import { useEffect, useRef, useState } from "react";
import { Alert, Button, Input, Modal, Popconfirm, Radio, Space, Typography } from "antd";
import { BellOutlined, DownloadOutlined } from "@ant-design/icons";
import dayjs from "dayjs";
import { errorText } from "../../app/errors";
import { useEvent } from "../../realtime";
import { useT } from "../../i18n";
import type { CampaignOut } from "./api";
import { fetchExport, useExport, useRemind, useReminders, type ExportOut } from "./reachApi";

const POLL_MS = 10_000;

export function RemindMissing({ campaign, unit, day, missing }: { campaign: CampaignOut; unit: number | null; day: string; missing: number }) {
  const t = useT();
  const [by, setBy] = useState<"app" | "ding">(campaign.remind_by === "ding" ? "ding" : "app");
  const list = useReminders(campaign.id, unit, day);
  const remind = useRemind(campaign.id, unit, day);
  const last = list.data?.[0];
  useEffect(() => remind.reset(), [unit, day]); // eslint-disable-line react-hooks/exhaustive-deps
  if (campaign.closed_at) return null;
  const sent = remind.data;
  return (
    <Space orientation="vertical" size={4} style={{ width: "100%" }} data-testid="stats-remind">
      <Popconfirm
        title={t("forms.remind.confirm", { n: missing })}
        description={
          <Radio.Group value={by} onChange={(e) => setBy(e.target.value)} data-testid="stats-remind-by">
            <Space orientation="vertical">
              <Radio value="app">{t("forms.remind.byApp")}</Radio>
              <Radio value="ding">{t("forms.remind.byDing")}</Radio>
            </Space>
          </Radio.Group>
        }
        okText={t("forms.remind.send")}
        cancelText={t("common.cancel")}
        okButtonProps={{ "data-testid": "stats-remind-ok" } as Record<`data-${string}`, string>}
        onConfirm={() => remind.mutate(by)}
      >
        <Button block icon={<BellOutlined />} disabled={missing === 0} loading={remind.isPending} data-testid="stats-remind-button">
          {t("forms.remind.button", { n: missing })}
        </Button>
      </Popconfirm>
      {remind.isError && <Alert type="warning" showIcon title={errorText(remind.error, t)} data-testid="stats-remind-error" />}
      {sent && !remind.isError && (
        <Alert type="success" showIcon title={t("forms.remind.sent", { n: sent.subjects, reached: sent.reached })} data-testid="stats-remind-sent" />
      )}
      {last && (
        <Typography.Text type="secondary" data-testid="stats-remind-last">
          {t("forms.remind.last", {
            at: dayjs(last.created_at).format("HH:mm"),
            by: t(last.by === "ding" ? "forms.remind.viaDing" : "forms.remind.viaApp"),
            who: last.sent_by?.name ?? "",
          })}
          {dayjs(last.next_at).isAfter(dayjs()) && ` · ${t("forms.remind.next", { at: dayjs(last.next_at).format("HH:mm:ss") })}`}
        </Typography.Text>
      )}
    </Space>
  );
}

function download(url: string) {
  const a = document.createElement("a");
  a.href = url;
  a.download = "";
  document.body.appendChild(a);
  a.click();
  a.remove();
}

export function ExportButton({ campaign, unit, unitName, day }: { campaign: number; unit: number | null; unitName: string; day: string }) {
  const t = useT();
  const [open, setOpen] = useState(false);
  const [format, setFormat] = useState<"xlsx" | "csv">("xlsx");
  const [span, setSpan] = useState<"day" | "range">("day");
  const [start, setStart] = useState(dayjs(day).subtract(6, "day").format("YYYY-MM-DD"));
  const [end, setEnd] = useState(day);
  const [made, setMade] = useState<ExportOut | null>(null);
  const ask = useExport(campaign);
  const waiting = made?.state === "queued" ? made.id : null;
  const downloaded = useRef<number | null>(null);

  const settle = (e: ExportOut) => {
    setMade(e);
    if (e.state === "done" && e.download && downloaded.current !== e.id) {
      downloaded.current = e.id;
      download(e.download);
    }
  };
  useEvent("form.export_ready", (ev) => {
    if (ev.export_id === waiting) void fetchExport(ev.export_id).then(settle);
  });
  useEffect(() => {
    if (waiting == null) return;
    const timer = setInterval(() => void fetchExport(waiting).then((e) => e.state !== "queued" && settle(e)), POLL_MS);
    return () => clearInterval(timer);
  }, [waiting]); // eslint-disable-line react-hooks/exhaustive-deps

  const go = () => {
    setMade(null);
    const range = span === "day" ? { start: day, end: day } : { start, end };
    ask.mutate({ unit, format, ...range }, { onSuccess: settle });
  };
  const close = () => {
    setOpen(false);
    setMade(null);
    ask.reset();
  };

  return (
    <>
      <Button block icon={<DownloadOutlined />} onClick={() => setOpen(true)} data-testid="stats-export">
        {t("forms.export.button")}
      </Button>
      <Modal
        open={open}
        title={t("forms.export.title")}
        onCancel={close}
        width={440}
        footer={
          <Space>
            <Button onClick={close}>{t("common.close")}</Button>
            <Button type="primary" loading={ask.isPending} disabled={waiting != null || (span === "range" && (!start || !end))} onClick={go} data-testid="export-go">
              {t("forms.export.go")}
            </Button>
          </Space>
        }
      >
        <Space orientation="vertical" style={{ width: "100%" }} data-testid="export-dialog">
          <Typography.Text type="secondary">{t("forms.export.scope", { unit: unitName })}</Typography.Text>
          <Radio.Group value={format} onChange={(e) => setFormat(e.target.value)} optionType="button" data-testid="export-format">
            <Radio value="xlsx">XLSX</Radio>
            <Radio value="csv">CSV</Radio>
          </Radio.Group>
          <Radio.Group value={span} onChange={(e) => setSpan(e.target.value)} data-testid="export-span">
            <Space orientation="vertical">
              <Radio value="day">{t("forms.export.oneDay", { day })}</Radio>
              <Radio value="range">{t("forms.export.range")}</Radio>
            </Space>
          </Radio.Group>
          {span === "range" && (
            <div className="bw-form-pair">
              <Input type="date" addonBefore={t("forms.export.from")} value={start} max={end} onChange={(e) => setStart(e.target.value)} data-testid="export-start" />
              <Input type="date" addonBefore={t("forms.export.to")} value={end} min={start} onChange={(e) => setEnd(e.target.value)} data-testid="export-end" />
            </div>
          )}
          {ask.isError && <Alert type="error" showIcon title={errorText(ask.error, t)} data-testid="export-error" />}
          {made?.state === "queued" && <Alert type="info" showIcon title={t("forms.export.preparing")} description={t("forms.export.preparingHint")} data-testid="export-preparing" />}
          {made?.state === "failed" && <Alert type="error" showIcon title={t("forms.export.failed")} data-testid="export-failed" />}
          {made?.state === "done" && made.download && (
            <Alert
              type="success"
              showIcon
              title={t("forms.export.ready", { n: made.rows })}
              action={
                <Button size="small" type="primary" href={made.download} download icon={<DownloadOutlined />} data-testid="export-download">
                  {t("forms.export.download")}
                </Button>
              }
              data-testid="export-ready"
            />
          )}
        </Space>
      </Modal>
    </>
  );
}
