/** One's meetings, and a new one for a group chat, a unit or invited people (now or at a time). */
import { Empty, List, Space, Tag } from "antd";
import { Link, useSearchParams } from "react-router-dom";
import { useQuery } from "@tanstack/react-query";
import dayjs from "dayjs";
import { api, call } from "../../api/http";
import { useT } from "../../i18n";
import { NewMeeting } from "./NewMeeting";

export default function MeetingsPage() {
  const t = useT();
  const [params] = useSearchParams();
  const meetings = useQuery({ queryKey: ["meetings"], queryFn: () => call(api.GET("/api/v1/meetings")) });
  const convs = useQuery({ queryKey: ["meetings", "groups"], queryFn: () => call(api.GET("/api/v1/conversations", { params: { query: { limit: 200 } } })) });
  const groups = (convs.data?.items ?? []).filter((c) => (c.kind === "group" || c.kind === "unit") && !c.private);
  return (
    <div data-testid="meetings-page">
      <NewMeeting groups={groups} initialConversation={params.get("conversation") ? Number(params.get("conversation")) : null} />
      {meetings.data && meetings.data.length === 0 && <Empty description={t("meetings.none")} />}
      {!!meetings.data?.length && (
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
      )}
    </div>
  );
}
