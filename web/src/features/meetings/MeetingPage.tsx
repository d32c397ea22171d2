/**
 * A meeting (docs/meetings.md): everyone joins with the microphone and camera off; the active
 * speaker (Janus's talking events) or a shared screen big, the others in a paged grid; the host's
 * tools (hard mute, allow unmute, mute all, remove, lock, waiting room, hand over, end for all);
 * before it starts, its planned time and the host's "change time" (MoveMeeting).
 * Works on a phone-sized page.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { Alert, App, Button, Popconfirm, Space, Tag, Typography } from "antd";
import { AudioMutedOutlined, AudioOutlined, DesktopOutlined, LockOutlined, VideoCameraOutlined } from "@ant-design/icons";
import { Link, useParams } from "react-router-dom";
import { useQuery } from "@tanstack/react-query";
import { api, call, readCookie } from "../../api/http";
import { useMe } from "../../api/hooks";
import type { components } from "../../api/schema";
import { errorText } from "../../app/errors";
import { useT } from "../../i18n";
import { useEvent, useSubscription } from "../../realtime";
import { Video } from "../media/Video";
import { MeetingFeed } from "./MeetingFeed";
import { MeetingSide } from "./MeetingSide";
import { close, noDevice, publishOwn, publishScreen, sender } from "./rtc";
import { Minutes } from "./Minutes";
import { MoveMeeting } from "./MoveMeeting";
import { applyChange, next } from "./roster";
import "./meetings.css";

type Meeting = components["schemas"]["MeetingView"];
type Participant = components["schemas"]["ParticipantOut"];

function usePhone(): boolean {
  const [phone, setPhone] = useState(() => window.innerWidth < 768);
  useEffect(() => {
    const on = () => setPhone(window.innerWidth < 768);
    window.addEventListener("resize", on);
    return () => window.removeEventListener("resize", on);
  }, []);
  return phone;
}

export default function MeetingPage() {
  const t = useT();
  const { message } = App.useApp();
  const id = Number(useParams().id);
  const me = useMe().data;
  const phone = usePhone();
  const [meeting, setMeetingState] = useState<Meeting | null>(null);
  // The version of the meeting shown: events apply the next one; a gap fetches it all again.
  const version = useRef<number | null>(null);
  const setMeeting = useCallback((m: Meeting | ((prev: Meeting | null) => Meeting | null)) => {
    setMeetingState((prev) => {
      const out = typeof m === "function" ? m(prev) : m;
      if (out) version.current = out.version;
      return out;
    });
  }, []);
  const [problem, setProblem] = useState<string | null>(null);
  const [epoch, setEpoch] = useState(0);
  const [mic, setMic] = useState(false);
  const [cam, setCam] = useState<MediaStream | null>(null);
  const [sharing, setSharing] = useState(false);
  const [talking, setTalking] = useState<Record<number, boolean>>({});
  const [speaker, setSpeaker] = useState<number | null>(null);
  const [page, setPage] = useState(0);
  const pub = useRef<RTCPeerConnection | null>(null);
  // The publisher being made (a click on the microphone may come before it is ready).
  const publishing = useRef<Promise<RTCPeerConnection | null> | null>(null);
  const screen = useRef<RTCPeerConnection | null>(null);
  const path = { params: { path: { meeting_id: id } } };
  const status = useQuery({ queryKey: ["media", "status"], queryFn: () => call(api.GET("/api/v1/media/status")) });

  const stopOwn = useCallback(() => {
    for (const pc of [pub.current, screen.current]) {
      pc?.getSenders().forEach((s) => s.track?.stop());
      close(pc);
    }
    pub.current = null;
    publishing.current = null;
    screen.current = null;
    setMic(false);
    setCam(null);
    setSharing(false);
  }, []);

  const join = useCallback(async () => {
    try {
      setMeeting(await call(api.POST("/api/v1/meetings/{meeting_id}/join", { params: { path: { meeting_id: id } } })));
      setProblem(null);
    } catch (err) {
      setProblem(errorText(err, t));
    }
  }, [id, setMeeting, t]);

  useEffect(() => {
    void join();
    const leave = () => {
      void fetch(`/api/v1/meetings/${id}/leave`, {
        method: "POST",
        keepalive: true,
        credentials: "same-origin",
        headers: { "x-csrf-token": readCookie("bw_csrf") ?? "" },
      });
    };
    window.addEventListener("pagehide", leave);
    return () => {
      window.removeEventListener("pagehide", leave);
      leave();
      stopOwn();
    };
  }, [id, join, stopOwn]);

  const refresh = useCallback(async () => {
    try {
      // A fetch answered before one's own join committed knows nothing of it yet.
      const full = await call(api.GET("/api/v1/meetings/{meeting_id}", { params: { path: { meeting_id: id } } }));
      version.current = full.version;
      setMeeting((prev) => (full.me == null && prev?.me ? { ...full, me: prev.me } : full));
    } catch {
      // the join's own error is shown
    }
  }, [id, setMeeting]);
  useSubscription([`meeting:${id}`], () => void refresh());

  const mine = meeting?.participants.find((p) => p.person_id === me?.id);
  useEvent("meeting.changed", (ev) => {
    if (ev.meeting_id !== id) return;
    const what = next(version.current, ev.version);
    if (what === "fetch") {
      void refresh();
      return;
    }
    if (what === "skip") return;
    version.current = ev.version; // the next event in this same tick follows this one
    setMeeting((prev) => (prev ? applyChange(prev, ev, me?.id) : prev));
  });
  useEvent("meeting.talking", (ev) => {
    if (ev.meeting_id !== id) return;
    setTalking((prev) => ({ ...prev, [ev.feed]: ev.talking }));
    if (ev.talking) setSpeaker(ev.feed);
  });
  useEvent("meeting.media_reset", (ev) => {
    if (ev.meeting_id !== id) return;
    stopOwn();
    void message.info(t("meetings.mediaReset"));
    void join().then(() => setEpoch((e) => e + 1));
  });

  const live = meeting?.state === "live";
  const inside = live && meeting?.me === "in";
  // In the meeting: publish at once, with nothing captured (microphone and camera off).
  useEffect(() => {
    if (!inside || pub.current) return;
    let gone = false;
    const made = publishOwn(id);
    publishing.current = made.then(
      (pc) => (gone ? null : pc),
      () => null,
    );
    void made
      .then((pc) => {
        if (gone) return close(pc);
        pub.current = pc;
        pc.onconnectionstatechange = () => {
          if (pc.connectionState === "failed") {
            stopOwn();
            void join().then(() => setEpoch((e) => e + 1));
          }
        };
      })
      .catch((err) => setProblem(errorText(err, t)));
    return () => {
      gone = true;
    };
  }, [inside, id, epoch, join, stopOwn, t]);
  useEffect(() => {
    if (!inside) stopOwn();
  }, [inside, stopOwn]);
  useEffect(() => {
    if (!inside) return;
    const beat = setInterval(() => void api.POST("/api/v1/meetings/{meeting_id}/here", { params: { path: { meeting_id: id } } }), 30_000);
    return () => clearInterval(beat);
  }, [id, inside]);

  // The host muted me: my microphone goes off here too (Janus drops it anyway).
  const hardMuted = !!mine?.hard_muted;
  const wasMuted = useRef(false);
  useEffect(() => {
    if (hardMuted && !wasMuted.current) {
      const s = sender(pub.current, "audio");
      s?.track?.stop();
      void s?.replaceTrack(null);
      setMic(false);
      void message.warning(t("meetings.youAreMuted"));
    } else if (!hardMuted && wasMuted.current) void message.info(t("meetings.allowedToUnmute"));
    wasMuted.current = hardMuted;
  }, [hardMuted, message, t]);

  const act = async (p: Promise<unknown>) => {
    try {
      await call(p as Promise<{ data?: unknown; error?: unknown; response: Response }>);
      return true;
    } catch (err) {
      void message.error(errorText(err, t));
      return false;
    }
  };
  const devicesProblem = (err: unknown) => setProblem(noDevice(err) ? t("meetings.noCamera") : errorText(err, t));

  const own = async () => pub.current ?? (await publishing.current) ?? null;
  const toggleMic = async () => {
    const s = sender(await own(), "audio");
    if (!s) return;
    if (mic) {
      s.track?.stop();
      await s.replaceTrack(null);
      setMic(false);
      await act(api.POST("/api/v1/meetings/{meeting_id}/devices", { ...path, body: { mic: false } }));
      return;
    }
    if (hardMuted) return void message.warning(t("meetings.youAreMuted"));
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      if (!(await act(api.POST("/api/v1/meetings/{meeting_id}/devices", { ...path, body: { mic: true } })))) {
        stream.getTracks().forEach((tr) => tr.stop());
        return;
      }
      await s.replaceTrack(stream.getAudioTracks()[0]);
      setMic(true);
    } catch (err) {
      devicesProblem(err);
    }
  };
  const toggleCam = async () => {
    const s = sender(await own(), "video");
    if (!s) return;
    if (cam) {
      cam.getTracks().forEach((tr) => tr.stop());
      await s.replaceTrack(null);
      setCam(null);
      await act(api.POST("/api/v1/meetings/{meeting_id}/devices", { ...path, body: { camera: false } }));
      return;
    }
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
      await s.replaceTrack(stream.getVideoTracks()[0]);
      setCam(stream);
      await act(api.POST("/api/v1/meetings/{meeting_id}/devices", { ...path, body: { camera: true } }));
    } catch (err) {
      devicesProblem(err);
    }
  };
  const toggleShare = async () => {
    if (sharing) {
      screen.current?.getSenders().forEach((s) => s.track?.stop());
      close(screen.current);
      screen.current = null;
      setSharing(false);
      await act(api.POST("/api/v1/meetings/{meeting_id}/unpublish", { params: { path: { meeting_id: id }, query: { screen: true } } }));
      return;
    }
    try {
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: true });
      screen.current = await publishScreen(id, stream);
      setSharing(true);
      stream.getVideoTracks()[0].onended = () => void toggleShare();
    } catch (err) {
      if (noDevice(err)) return; // the person closed the picker
      void message.error(errorText(err, t));
    }
  };

  if (!meeting) return problem ? <Alert type="error" showIcon title={problem} data-testid="meeting-problem" /> : null;
  const host = meeting.is_host;
  const mediaOff = status.data && !status.data.available;
  const inRoom = meeting.participants.filter((p) => p.state === "in");
  const others = inRoom.filter((p) => p.person_id !== me?.id && p.feed != null);
  const sharer = inRoom.find((p) => p.screen_feed != null && p.person_id !== me?.id);
  const speaking = others.find((p) => p.feed === speaker && p.mic && !p.hard_muted) ?? null;
  const big: { p: Participant; feed: number; screen: boolean } | null = sharer
    ? { p: sharer, feed: sharer.screen_feed!, screen: true }
    : speaking
      ? { p: speaking, feed: speaking.feed!, screen: false }
      : null;
  const grid = others.filter((p) => big?.screen || p.feed !== big?.feed);
  const size = phone ? 4 : 9;
  const pages = Math.max(1, Math.ceil(grid.length / size));
  const at = Math.min(page, pages - 1);
  const shown = grid.slice(at * size, at * size + size);
  // Off this page but with the microphone on: listened to, not shown.
  const heard = grid.filter((p) => !shown.includes(p) && p.mic && !p.hard_muted);
  const lost = () => void join().then(() => setEpoch((e) => e + 1));
  const tile = (p: Participant, extra: { big?: boolean; hidden?: boolean } = {}) => (
    <MeetingFeed
      key={`${p.feed}-${epoch}`}
      meetingId={id}
      feed={p.feed!}
      name={p.name}
      epoch={epoch}
      showVideo={p.camera}
      mic={p.mic}
      hardMuted={p.hard_muted}
      talking={!!talking[p.feed!] && p.mic && !p.hard_muted}
      onLost={lost}
      {...extra}
    />
  );

  return (
    <div className="bw-meeting" data-testid="meeting-page" data-state={meeting.state} data-me={meeting.me ?? ""}>
      <div className="bw-meeting-main">
        <Space wrap>
          <Typography.Title level={4} style={{ margin: 0 }}>{meeting.title}</Typography.Title>
          <Tag color={live ? "green" : undefined} data-testid="meeting-state">{t(`meetings.state.${meeting.state}`)}</Tag>
          {meeting.locked && <Tag icon={<LockOutlined />}>{t("meetings.locked")}</Tag>}
          <Link to={`/chat/${meeting.conversation_id}`}>{t("meetings.openChat")}</Link>
          {meeting.may_see_attendance && <Link to={`/meetings/${id}/attendance`} data-testid="meeting-attendance-link">{t("meetings.attendance")}</Link>}
        </Space>
        {mediaOff && <Alert type="warning" showIcon title={status.data?.message ?? t("meetings.noMedia")} data-testid="meeting-no-media" />}
        {problem && <Alert type="error" showIcon closable onClose={() => setProblem(null)} title={problem} data-testid="meeting-problem" />}
        {live && meeting.me === "waiting" && <Alert type="info" showIcon title={t("meetings.waiting")} data-testid="meeting-waiting" />}
        {live && meeting.me === "removed" && <Alert type="error" showIcon title={t("meetings.removed")} data-testid="meeting-removed" />}
        {meeting.state === "scheduled" && <MoveMeeting meeting={meeting} onMoved={() => void refresh()} />}
        {meeting.state === "scheduled" && <Typography.Text type="secondary">{t("meetings.notStarted")}</Typography.Text>}
        {meeting.state === "ended" && <Typography.Text type="secondary" data-testid="meeting-ended">{t("meetings.ended")}</Typography.Text>}
        {host && meeting.state === "scheduled" && (
          <Button type="primary" data-testid="meeting-start" disabled={!!mediaOff} onClick={() => void act(api.POST("/api/v1/meetings/{meeting_id}/start", path)).then(join)}>
            {t("meetings.start")}
          </Button>
        )}
        {inside && (
          <>
            <div className="bw-meeting-stage" data-testid="meeting-stage">
              {/* One flat list of tiles keyed by feed: a tile that becomes big or goes back to the
                  grid keeps its subscription (no new PeerConnection). */}
              <div className="bw-meeting-grid">
                {[
                  ...(big ? [tile(big.p.feed === big.feed ? big.p : { ...big.p, feed: big.feed, camera: true }, { big: true })] : []),
                  ...shown.map((p) => tile(p)),
                  ...heard.map((p) => tile(p, { hidden: true })),
                ]}
                {cam && (
                  <div className="bw-meeting-tile" data-testid="meeting-self">
                    <Video stream={cam} className="bw-meeting-video" />
                    <span className="bw-meeting-name">{t("meetings.you")}</span>
                  </div>
                )}
              </div>
              {pages > 1 && (
                <Space>
                  <Button size="small" disabled={at === 0} onClick={() => setPage(at - 1)}>{t("meetings.prev")}</Button>
                  <span data-testid="meeting-pages">{t("meetings.page", { page: at + 1, pages })}</span>
                  <Button size="small" disabled={at >= pages - 1} onClick={() => setPage(at + 1)}>{t("meetings.next")}</Button>
                </Space>
              )}
            </div>
            <div className="bw-meeting-bar">
              <Button icon={mic ? <AudioOutlined /> : <AudioMutedOutlined />} type={mic ? "primary" : "default"} danger={hardMuted} data-testid="meeting-mic" data-on={mic ? "1" : "0"} onClick={() => void toggleMic()} title={hardMuted ? t("meetings.youAreMuted") : undefined}>
                {hardMuted ? t("meetings.mutedByHost") : mic ? t("meetings.micOff") : t("meetings.micOn")}
              </Button>
              <Button icon={<VideoCameraOutlined />} type={cam ? "primary" : "default"} data-testid="meeting-camera" onClick={() => void toggleCam()}>
                {cam ? t("meetings.camOff") : t("meetings.camOn")}
              </Button>
              {!phone && (
                <Button icon={<DesktopOutlined />} data-testid="meeting-share" onClick={() => void toggleShare()}>
                  {sharing ? t("meetings.stopShare") : t("meetings.share")}
                </Button>
              )}
              <Button data-testid="meeting-leave" onClick={() => void fetch(`/api/v1/meetings/${id}/leave`, { method: "POST", credentials: "same-origin", headers: { "x-csrf-token": readCookie("bw_csrf") ?? "" } }).then(() => { stopOwn(); void refresh(); })}>
                {t("meetings.leave")}
              </Button>
              {host && (
                <Popconfirm title={t("meetings.endConfirm")} onConfirm={() => void act(api.POST("/api/v1/meetings/{meeting_id}/end", path))}>
                  <Button danger data-testid="meeting-end">{t("meetings.end")}</Button>
                </Popconfirm>
              )}
            </div>
          </>
        )}
        {live && meeting.me === "left" && (
          <Button type="primary" data-testid="meeting-rejoin" onClick={() => void join()}>{t("meetings.card.open")}</Button>
        )}
        {meeting.state === "ended" && meeting.may_see_attendance && <Minutes meetingId={id} />}
      </div>
      {inside && <MeetingSide meeting={meeting} meId={me?.id} act={act} />}
    </div>
  );
}
