/**
 * 1:1 calls on every page (docs/calls.md): places a call asked for anywhere (`startCall`), rings
 * on an incoming one (`call.changed` on one's person topic; the current call on load and after a
 * reconnect), answers on this device (the others stop ringing), and shows the call full-screen
 * until either side hangs up. Works on a phone-sized page.
 *
 * The call outlives a media server restart and a reload of this page: a new `media_room` (the
 * server found Janus forgot the old) or a failed connection sends again; a reloaded tab finds
 * its call (`GET /calls/current`) and rejoins by itself (sessionStorage keeps its device id and
 * the call it was in); another tab of the caller offers "Join here". A page that hides tells
 * the server (`away`), which ends the call unless the page is back within 20 s.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { App, Button } from "antd";
import { AudioMutedOutlined, AudioOutlined, PhoneOutlined, VideoCameraOutlined } from "@ant-design/icons";
import { api, readCookie, call as send } from "../../api/http";
import { useMe } from "../../api/hooks";
import type { components } from "../../api/schema";
import { errorText } from "../../app/errors";
import { useT } from "../../i18n";
import { useEvent, useSocketStatus } from "../../realtime";
import { close as closePc, noDevice } from "../media/rtc";
import { Audio, Video } from "../media/Video";
import { capture, publish, watchOther } from "./media";
import { startRinging } from "./ringtone";
import { DEVICE, callHere, callTime, setCallHere, setCallHost } from "./store";
import "./calls.css";

type Call = components["schemas"]["CallOut"];
const OPEN = ["ringing", "active"];

export function CallHost() {
  const t = useT();
  const { message, modal } = App.useApp();
  const me = useMe().data;
  const myId = me?.id ?? 0;
  const [call, setCall] = useState<Call | null>(null);
  const [joined, setJoined] = useState(false); // this page sends and receives the call's media
  const [local, setLocal] = useState<MediaStream | null>(null);
  const [remote, setRemote] = useState<MediaStream[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [micOff, setMicOff] = useState(false);
  const [now, setNow] = useState(Date.now());
  const pub = useRef<RTCPeerConnection | null>(null);
  const sub = useRef<RTCPeerConnection | null>(null);
  const stream = useRef<MediaStream | null>(null);
  const current = useRef<Call | null>(null);
  current.current = call;
  const joinedRef = useRef(false);
  joinedRef.current = joined;
  // What this page sends: its feed and the room it went into (a new room: send again).
  const ownFeed = useRef<number | null>(null);
  const ownRoom = useRef<number | null>(null);
  const sending = useRef(false);
  const rejoining = useRef<number | null>(null);
  const sawOther = useRef(false);
  const [watchEpoch, setWatchEpoch] = useState(0);

  const teardown = useCallback(() => {
    closePc(pub.current);
    closePc(sub.current);
    pub.current = null;
    sub.current = null;
    stream.current?.getTracks().forEach((tr) => tr.stop());
    stream.current = null;
    ownFeed.current = null;
    ownRoom.current = null;
    sawOther.current = false;
    joinedRef.current = false;
    setCallHere(null);
    setLocal(null);
    setRemote([]);
    setJoined(false);
    setProblem(null);
    setMicOff(false);
  }, []);

  const other = (c: Call) => (c.caller.id === myId ? c.callee : c.caller);

  const outcome = useCallback(
    (c: Call) => {
      const mine = c.caller.id === myId;
      const name = mine ? c.callee.name : c.caller.name;
      if (c.state === "ended") return t("calls.over.ended", { time: callTime(c.seconds ?? 0) });
      if (c.state === "busy") return t("calls.over.busy", { name });
      if (c.state === "declined") return mine ? t("calls.over.declined", { name }) : t("calls.over.youDeclined");
      if (c.state === "missed") return mine ? t("calls.over.noAnswer", { name }) : t("calls.over.missed", { name });
      return mine ? t("calls.over.cancelled") : t("calls.over.theyCancelled", { name });
    },
    [myId, t],
  );

  /** What the server says the call is now (an event, an answer, the current call). */
  const apply = useCallback(
    (c: Call | null) => {
      const prev = current.current;
      if (!c) {
        if (prev && OPEN.includes(prev.state)) {
          teardown();
          setCall(null);
        }
        return;
      }
      if (prev && prev.id !== c.id) {
        // Another call while one is shown: only a newer one that rings for me replaces an ended one.
        if (OPEN.includes(prev.state)) return;
      }
      if (!OPEN.includes(c.state)) {
        if (prev?.id === c.id) {
          teardown();
          setCall(null);
          void message.info({ content: outcome(c), key: `call-${c.id}` });
        }
        return;
      }
      // Answered on another of my devices: this one stops ringing.
      if (c.state === "active" && c.callee.id === myId && c.device !== DEVICE) {
        if (prev?.id === c.id && !joinedRef.current) {
          setCall(null);
          void message.info({ content: t("calls.answeredElsewhere"), key: `call-${c.id}` });
        }
        return;
      }
      setCall(c);
      if (joinedRef.current && !sending.current && ownFeed.current !== null) {
        const mine = c.caller.id === myId ? c.caller_feed : c.callee_feed;
        if (mine !== null && mine !== ownFeed.current) {
          // Another page of mine joined this call: it sends now, this one stops.
          teardown();
          return;
        }
        // The server opened a new room (the media server restarted): send again.
        if (c.media_room !== ownRoom.current) void resend.current();
      } else if (!joinedRef.current && c.state === "active" && callHere() === c.id) {
        // This tab was in the call before a reload: join it again.
        void rejoin.current(c);
      }
    },
    [message, myId, outcome, t, teardown],
  );

  /** Sends this page's camera and microphone (again: a new room, a failed connection). */
  const sendOwn = useCallback(async (c: Call, s: MediaStream) => {
    sending.current = true;
    try {
      const { pc, feed, room } = await publish(c.id, s);
      if (stream.current !== s) {
        closePc(pc);
        return;
      }
      closePc(pub.current);
      pub.current = pc;
      ownFeed.current = feed;
      ownRoom.current = room;
      pc.onconnectionstatechange = () => {
        if (pc.connectionState === "failed" && pub.current === pc) void recover.current();
      };
    } finally {
      sending.current = false;
    }
  }, []);

  const resend = useRef(async () => undefined as void);
  const recover = useRef(async () => undefined as void);
  const rejoin = useRef(async (_c: Call) => undefined as void);
  resend.current = async () => {
    const c = current.current;
    const s = stream.current;
    if (!c || !s || sending.current || c.state !== "active") return;
    try {
      await sendOwn(c, s);
    } catch {
      window.setTimeout(() => void recover.current(), 2000);
    }
  };
  // The connection failed (the media server restarted, the network dropped): the heartbeat
  // makes the server look at the room (a new one if it was forgotten), then send again.
  recover.current = async () => {
    const c = current.current;
    if (!c || !stream.current || sending.current) return;
    try {
      const now = await send(api.POST("/api/v1/calls/{call_id}/here", { params: { path: { call_id: c.id } } }));
      apply(now);
      if (now.state === "active" && stream.current && !sending.current) await resend.current();
    } catch {
      if (joinedRef.current) window.setTimeout(() => void recover.current(), 2000);
    }
  };
  rejoin.current = async (c: Call) => {
    if (rejoining.current === c.id || joinedRef.current) return;
    rejoining.current = c.id;
    let s: MediaStream;
    try {
      s = await capture(c.video);
    } catch (err) {
      setProblem(failed(err));
      rejoining.current = null;
      return;
    }
    stream.current = s;
    joinedRef.current = true;
    setCallHere(c.id);
    setLocal(s);
    setJoined(true);
    setProblem(null);
    try {
      apply(await send(api.POST("/api/v1/calls/{call_id}/here", { params: { path: { call_id: c.id } } })));
      const now = current.current;
      if (now && now.state === "active" && stream.current === s) await sendOwn(now, s);
    } catch (err) {
      setProblem(errorText(err, t));
    } finally {
      rejoining.current = null;
    }
  };

  const refresh = useCallback(async () => {
    try {
      apply(await send(api.GET("/api/v1/calls/current")));
    } catch {
      // offline: the socket's return asks again
    }
  }, [apply]);
  const status = useSocketStatus();
  useEffect(() => {
    if (status === "open" && myId) void refresh();
  }, [status, myId, refresh]);
  useEvent("call.changed", (ev) => apply(ev.call));

  const failed = useCallback(
    (err: unknown) => (noDevice(err) ? t("calls.noDevice") : errorText(err, t)),
    [t],
  );

  // Placing a call: the camera and microphone first (no permission: say so, ring nobody).
  const start = useCallback(
    async (personId: number, video: boolean) => {
      if (current.current && OPEN.includes(current.current.state)) {
        void message.warning(t("calls.alreadyIn"));
        return;
      }
      let s: MediaStream;
      try {
        s = await capture(video);
      } catch (err) {
        modal.error({ title: t("calls.cannotStart"), content: failed(err) });
        return;
      }
      try {
        const c = await send(api.POST("/api/v1/calls", { body: { person_id: personId, video } }));
        if (c.state !== "ringing") {
          s.getTracks().forEach((tr) => tr.stop());
          void message.info(outcome(c));
          return;
        }
        stream.current = s;
        joinedRef.current = true;
        setCallHere(c.id);
        setLocal(s);
        setJoined(true);
        setCall(c);
        await sendOwn(c, s);
      } catch (err) {
        s.getTracks().forEach((tr) => tr.stop());
        modal.error({ title: t("calls.cannotStart"), content: failed(err) });
      }
    },
    [failed, message, modal, outcome, sendOwn, t],
  );
  useEffect(() => {
    setCallHost((p, v) => void start(p, v));
    return () => setCallHost(null);
  }, [start]);

  const accept = async () => {
    if (!call) return;
    let s: MediaStream;
    try {
      s = await capture(call.video);
    } catch (err) {
      setProblem(failed(err));
      return;
    }
    try {
      const c = await send(api.POST("/api/v1/calls/{call_id}/accept", { params: { path: { call_id: call.id } }, body: { device: DEVICE } }));
      stream.current = s;
      joinedRef.current = true;
      setCallHere(c.id);
      setLocal(s);
      setJoined(true);
      setCall(c);
      await sendOwn(c, s);
    } catch (err) {
      s.getTracks().forEach((tr) => tr.stop());
      setCall(null);
      void message.info(errorText(err, t));
    }
  };

  const hangUp = async () => {
    if (!call) return;
    const id = call.id;
    try {
      apply(await send(api.POST("/api/v1/calls/{call_id}/hangup", { params: { path: { call_id: id } } })));
    } catch (err) {
      teardown();
      setCall(null);
      void message.error(errorText(err, t));
    }
  };

  const decline = async () => {
    if (!call) return;
    try {
      apply(await send(api.POST("/api/v1/calls/{call_id}/decline", { params: { path: { call_id: call.id } } })));
    } catch {
      setCall(null);
    }
  };

  // The other person's media, once they send it.
  const otherFeed = call && (call.caller.id === myId ? call.callee_feed : call.caller_feed);
  useEffect(() => {
    if (!call || !joined || call.state !== "active" || !otherFeed) return;
    let gone = false;
    const found: MediaStream[] = [];
    sawOther.current = true;
    void watchOther(
      call.id,
      (ev) => {
        found.push(new MediaStream([ev.track]));
        if (!gone) setRemote([...found]);
      },
      () => gone,
    ).then((pc) => {
      if (gone || !pc) return closePc(pc);
      sub.current = pc;
      pc.onconnectionstatechange = () => {
        if (pc.connectionState === "failed" && !gone) setWatchEpoch((e) => e + 1);
      };
    });
    return () => {
      gone = true;
      closePc(sub.current);
      sub.current = null;
      setRemote([]);
    };
  }, [call?.id, call?.state, call?.media_room, joined, otherFeed, watchEpoch]);

  // Ringing: the ringtone on the callee's page, the ringback on the caller's.
  const ringingHere = !!call && call.state === "ringing";
  const incoming = ringingHere && call!.callee.id === myId;
  useEffect(() => (ringingHere ? startRinging(incoming) : undefined), [ringingHere, incoming]);

  // The call page's heartbeat (also at once: a page that joined again says so), and the clock.
  const active = !!call && call.state === "active";
  useEffect(() => {
    if (!active || !call || !joined) return;
    const id = call.id;
    const here = () => void send(api.POST("/api/v1/calls/{call_id}/here", { params: { path: { call_id: id } } })).then(apply, () => undefined);
    here();
    const beat = window.setInterval(here, 15_000);
    const tick = window.setInterval(() => setNow(Date.now()), 1000);
    return () => {
      window.clearInterval(beat);
      window.clearInterval(tick);
    };
  }, [active, call?.id, joined]);

  // Leaving the page: while it rings, hangs up; once answered, says this page goes away (a
  // reload comes back and sends again; a closed page ends the call after 20 s).
  const ringing = call?.state === "ringing";
  useEffect(() => {
    if (!joined || !call) return;
    const id = call.id;
    const leave = () => {
      const body = ringing ? undefined : JSON.stringify({ feed: ownFeed.current });
      void fetch(`/api/v1/calls/${id}/${ringing ? "hangup" : "away"}`, {
        method: "POST",
        keepalive: true,
        credentials: "same-origin",
        body,
        headers: { "x-csrf-token": readCookie("bw_csrf") ?? "", ...(body ? { "content-type": "application/json" } : {}) },
      });
    };
    window.addEventListener("pagehide", leave);
    return () => window.removeEventListener("pagehide", leave);
  }, [joined, call?.id, ringing]);

  if (!call || !me) return null;
  const person = other(call);

  if (incoming && !joined) {
    return (
      <div className="bw-call-incoming" role="dialog" aria-label={t("calls.incoming")} data-testid="call-incoming">
        <div className="bw-call-avatar">{person.name.slice(0, 1)}</div>
        <div className="bw-call-name" data-testid="call-incoming-name">{person.name}</div>
        <div className="bw-call-sub">{call.video ? t("calls.invitesVideo") : t("calls.invitesVoice")}</div>
        {problem && <div className="bw-call-problem" data-testid="call-problem">{problem}</div>}
        <div className="bw-call-buttons">
          <Button shape="circle" size="large" danger type="primary" icon={<PhoneOutlined rotate={135} />} onClick={() => void decline()} aria-label={t("calls.decline")} data-testid="call-decline" />
          <Button shape="circle" size="large" type="primary" className="bw-call-accept" icon={call.video ? <VideoCameraOutlined /> : <PhoneOutlined />} onClick={() => void accept()} aria-label={t("calls.accept")} data-testid="call-accept" />
        </div>
        <div className="bw-call-labels">
          <span>{t("calls.decline")}</span>
          <span>{t("calls.accept")}</span>
        </div>
      </div>
    );
  }

  const videos = remote.filter((s) => s.getVideoTracks().length);
  const audios = remote.filter((s) => s.getAudioTracks().length);
  const seconds = call.answered_at ? (now - new Date(call.answered_at).getTime()) / 1000 : 0;
  return (
    <div className="bw-call-screen" data-testid="call-screen" data-state={call.state}>
      {call.video && videos[0] ? <Video stream={videos[0]} className="bw-call-remote" testId="call-remote-video" /> : <div className="bw-call-avatar bw-call-avatar-big">{person.name.slice(0, 1)}</div>}
      {call.video && local && <Video stream={local} className="bw-call-local" testId="call-local-video" />}
      {audios.map((s) => (
        <Audio key={s.id} stream={s} />
      ))}
      <div className="bw-call-top">
        <div className="bw-call-name" data-testid="call-name">{person.name}</div>
        <div className="bw-call-sub" data-testid="call-status">
          {call.state === "ringing" ? t("calls.waiting") : !joined ? t("calls.onOtherPage") : !otherFeed && sawOther.current ? t("calls.reconnecting") : callTime(seconds)}
        </div>
        {problem && <div className="bw-call-problem" data-testid="call-problem">{problem}</div>}
      </div>
      <div className="bw-call-buttons bw-call-bottom">
        {joined && local && (
          <Button
            shape="circle"
            size="large"
            icon={micOff ? <AudioMutedOutlined /> : <AudioOutlined />}
            aria-label={micOff ? t("calls.unmute") : t("calls.mute")}
            data-testid="call-mute"
            onClick={() => {
              local.getAudioTracks().forEach((tr) => (tr.enabled = micOff));
              setMicOff(!micOff);
            }}
          />
        )}
        {!joined && call.state === "active" && (
          <Button size="large" type="primary" onClick={() => void rejoin.current(call)} data-testid="call-rejoin">
            {t("calls.rejoin")}
          </Button>
        )}
        <Button shape="circle" size="large" danger type="primary" icon={<PhoneOutlined rotate={135} />} onClick={() => void hangUp()} aria-label={t("calls.hangUp")} data-testid="call-hangup" />
      </div>
    </div>
  );
}
