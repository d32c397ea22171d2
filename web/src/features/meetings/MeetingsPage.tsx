/** One's meetings, and a new one for a group chat's members (now or at a time). */
import { useState } from "react";
import { App, Button, Card, Checkbox, DatePicker, Empty, Input, List, Select, Space, Tag } from "antd";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { useQuery } from "@tanstack/react-query";
import type { Dayjs } from "dayjs";
import dayjs from "dayjs";
import { api, call } from "../../api/http";
import { errorText } from "../../app/errors";
import { useT } from "../../i18n";

export default function MeetingsPage() {
  const t = useT();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const meetings = useQuery({ queryKey: ["meetings"], queryFn: () => call(api.GET("/api/v1/meetings")) });
  const convs = useQuery({ queryKey: ["meetings", "groups"], queryFn: () => call(api.GET("/api/v1/conversations", { params: { query: { limit: 200 } } })) });
  const groups = (convs.data?.items ?? []).filter((c) => (c.kind === "group" || c.kind === "unit") && !c.private);
  const [title, setTitle] = useState("");
  const [conv, setConv] = useState<number | null>(params.get("conversation") ? Number(params.get("conversation")) : null);
  const [at, setAt] = useState<Dayjs | null>(null);
  const [waiting, setWaiting] = useState(false);
  const create = async (now: boolean) => {
    if (conv == null) return;
    try {
      const m = await call(
        api.POST("/api/v1/meetings", {
          body: { title: title.trim(), conversation_id: conv, start_now: now, starts_at: at ? at.toISOString() : null, waiting_room: waiting, client_id: crypto.randomUUID() },
        }),
      );
      navigate(`/meetings/${m.id}`);
    } catch (err) {
      void message.error(errorText(err, t));
    }
  };
  return (
    <div data-testid="meetings-page">
      <Card size="small" title={t("meetings.new")} style={{ marginBottom: 12 }}>
        <Space direction="vertical" style={{ width: "100%" }}>
          <Input value={title} maxLength={100} placeholder={t("meetings.titlePlaceholder")} onChange={(e) => setTitle(e.target.value)} data-testid="meeting-title" />
          <Select
            showSearch
            optionFilterProp="label"
            style={{ width: "100%" }}
            value={conv ?? undefined}
            onChange={setConv}
            placeholder={t("meetings.audiencePlaceholder")}
            aria-label={t("meetings.audience")}
            options={groups.map((c) => ({ value: c.id, label: c.name ?? "" }))}
            data-testid="meeting-audience"
          />
          <Checkbox checked={waiting} onChange={(e) => setWaiting(e.target.checked)} data-testid="meeting-waiting-option">{t("meetings.waitingRoomOption")}</Checkbox>
          <Space wrap>
            <Button type="primary" disabled={!title.trim() || conv == null} onClick={() => void create(true)} data-testid="meeting-start-now">{t("meetings.startNow")}</Button>
            <DatePicker showTime value={at} onChange={setAt} />
            <Button disabled={!title.trim() || conv == null || !at} onClick={() => void create(false)} data-testid="meeting-schedule">{t("meetings.schedule")}</Button>
          </Space>
        </Space>
      </Card>
      {meetings.data && meetings.data.length === 0 && <Empty description={t("meetings.none")} />}
      <List
        dataSource={meetings.data ?? []}
        renderItem={(m) => (
          <List.Item data-testid="meeting-row">
            <Space wrap>
              <Link to={`/meetings/${m.id}`}>{m.title}</Link>
              <Tag color={m.state === "live" ? "green" : undefined}>{t(`meetings.state.${m.state}`)}</Tag>
              <span>{t("meetings.host")}: {m.host.name}</span>
              {(m.started_at ?? m.starts_at) && <span>{dayjs(m.started_at ?? m.starts_at).format("MM-DD HH:mm")}</span>}
            </Space>
          </List.Item>
        )}
      />
    </div>
  );
}
