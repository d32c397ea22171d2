/** Who is in the meeting and in its waiting room; the host's tools for each and for everyone. */
import { Button, List, Space, Switch, Tag, Typography } from "antd";
import { AudioMutedOutlined, AudioOutlined, VideoCameraOutlined } from "@ant-design/icons";
import { api } from "../../api/http";
import type { components } from "../../api/schema";
import { useT } from "../../i18n";

type Meeting = components["schemas"]["MeetingView"];

type Props = { meeting: Meeting; meId: number | undefined; act: (p: Promise<unknown>) => Promise<boolean> };

export function MeetingSide({ meeting, meId, act }: Props) {
  const t = useT();
  const id = meeting.id;
  const host = meeting.is_host;
  const path = { params: { path: { meeting_id: id } } };
  const one = (person_id: number) => ({ params: { path: { meeting_id: id, person_id } } });
  const inRoom = meeting.participants.filter((p) => p.state === "in");
  const waiting = meeting.participants.filter((p) => p.state === "waiting");
  return (
    <div className="bw-meeting-side" data-testid="meeting-side">
      {host && (
        <Space wrap>
          <Button size="small" data-testid="meeting-mute-all" onClick={() => void act(api.POST("/api/v1/meetings/{meeting_id}/mute", { ...path, body: { muted: !meeting.all_muted } }))}>
            {meeting.all_muted ? t("meetings.allowAll") : t("meetings.muteAll")}
          </Button>
          <span>
            {t("meetings.lock")} <Switch size="small" checked={meeting.locked} data-testid="meeting-lock" onChange={(on) => void act(api.POST("/api/v1/meetings/{meeting_id}/lock", { ...path, body: { on } }))} />
          </span>
          <span>
            {t("meetings.waitingRoom")} <Switch size="small" checked={meeting.waiting_room} data-testid="meeting-waiting-room" onChange={(on) => void act(api.POST("/api/v1/meetings/{meeting_id}/waiting-room", { ...path, body: { on } }))} />
          </span>
        </Space>
      )}
      {host && waiting.length > 0 && (
        <List
          size="small"
          header={t("meetings.waitingList", { n: waiting.length })}
          dataSource={waiting}
          renderItem={(p) => (
            <List.Item
              data-testid="meeting-waiting-person"
              data-name={p.name}
              actions={[
                <a key="a" data-testid="meeting-admit" onClick={() => void act(api.POST("/api/v1/meetings/{meeting_id}/admit/{person_id}", one(p.person_id)))}>{t("meetings.admit")}</a>,
                <a key="r" onClick={() => void act(api.POST("/api/v1/meetings/{meeting_id}/remove/{person_id}", one(p.person_id)))}>{t("meetings.remove")}</a>,
              ]}
            >
              {p.name}
            </List.Item>
          )}
        />
      )}
      <List
        className="bw-meeting-people"
        size="small"
        header={t("meetings.participants", { n: inRoom.length })}
        dataSource={inRoom}
        renderItem={(p) => (
          <List.Item data-testid="meeting-person" data-name={p.name} data-muted={p.hard_muted ? "1" : "0"}>
            <div style={{ width: "100%" }}>
              <Space size={4} wrap>
                {p.mic && !p.hard_muted ? <AudioOutlined /> : <AudioMutedOutlined style={{ color: p.hard_muted ? "#ff4d4f" : undefined }} />}
                {p.camera && <VideoCameraOutlined />}
                <Typography.Text>{p.name}</Typography.Text>
                {p.host && <Tag color="blue">{t("meetings.hostTag")}</Tag>}
                {p.hard_muted && <Tag color="red">{t("meetings.mutedByHost")}</Tag>}
              </Space>
              {host && p.person_id !== meId && (
                <Space size={12} wrap className="bw-meeting-actions">
                  {p.hard_muted ? (
                    <a data-testid="meeting-allow" onClick={() => void act(api.POST("/api/v1/meetings/{meeting_id}/mute", { ...path, body: { person_id: p.person_id, muted: false } }))}>{t("meetings.allowUnmute")}</a>
                  ) : (
                    <a data-testid="meeting-mute" onClick={() => void act(api.POST("/api/v1/meetings/{meeting_id}/mute", { ...path, body: { person_id: p.person_id, muted: true } }))}>{t("meetings.mute")}</a>
                  )}
                  <a data-testid="meeting-make-host" onClick={() => void act(api.POST("/api/v1/meetings/{meeting_id}/host", { ...path, body: { person_id: p.person_id } }))}>{t("meetings.makeHost")}</a>
                  <a data-testid="meeting-remove" onClick={() => void act(api.POST("/api/v1/meetings/{meeting_id}/remove/{person_id}", one(p.person_id)))}>{t("meetings.remove")}</a>
                </Space>
              )}
            </div>
          </List.Item>
        )}
      />
    </div>
  );
}
