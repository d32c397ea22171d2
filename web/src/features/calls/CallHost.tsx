/**
 * 1:1 calls on every page (docs/calls.md): places a call asked for anywhere (`startCall`), rings
 * on an incoming one (`call.changed` on one's person topic; the current call on load and after a
 * reconnect), answers on this device (the others stop ringing), and shows the call full-screen
 * until either side hangs up. Works on a phone-sized page.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { App, Button } from "antd";
import { AudioMutedOutlined, AudioOutlined, PhoneOutlined, VideoCameraOutlined } from "@ant-design/icons";
import { api, call as send } from "../../api/http";
import { useMe } from "../../api/hooks";
import type { components } from "../../api/schema";
import { errorText } from "../../app/errors";
import { useT } from "../../i18n";
import { useEvent, useSocketStatus } from "../../realtime";
import { close as closePc, noDevice } from "../media/rtc";
import { Audio, Video } from "../media/Video";
import { capture, publish, watchOther } from "./media";
import { startRinging } from "./ringtone";
import { DEVICE, callTime, setCallHost } from "./store";
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

  const teardown = useCallback(() => {
    closePc(pub.current);
    closePc(sub.current);
    pub.current = null;
    sub.current = null;
    stream.current?.getTracks().forEach((tr) => tr.stop());
    stream.current = null;
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
        if (prev?.id === c.id && !joined) {
          setCall(null);
          void message.info({ content: t("calls.answeredElsewhere"), key: `call-${c.id}` });
        }
        return;
      }
      setCall(c);
    },
    [joined, message, myId, outcome, t, teardown],
  );

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
        setLocal(s);
        setJoined(true);
        setCall(c);
        pub.current = await publish(c.id, s);
      } catch (err) {
        s.getTracks().forEach((tr) => tr.stop());
        modal.error({ title: t("calls.cannotStart"), content: failed(err) });
      }
    },
    [failed, message, modal, outcome, t],
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
      setLocal(s);
      setJoined(true);
      setCall(c);
      pub.current = await publish(c.id, s);
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
    void watchOther(
      call.id,
      (ev) => {
        found.push(new MediaStream([ev.track]));
        if (!gone) setRemote([...found]);
      },
      () => gone,
    ).then((pc) => {
      if (gone) closePc(pc);
      else sub.current = pc;
    });
    return () => {
      gone = true;
      closePc(sub.current);
      sub.current = null;
      setRemote([]);
    };
  }, [call?.id, call?.state, joined, otherFeed]);

  // Ringing: the ringtone on the callee's page, the ringback on the caller's.
  const ringingHere = !!call && call.state === "ringing";
  const incoming = ringingHere && call!.callee.id === myId;
  useEffect(() => (ringingHere ? startRinging(incoming) : undefined), [ringingHere, incoming]);

  // The call page's heartbeat, and the clock.
  const active = !!call && call.state === "active";
  useEffect(() => {
    if (!active || !call) return;
    const id = call.id;
    const beat = window.setInterval(() => {
      void send(api.POST("/api/v1/calls/{call_id}/here", { params: { path: { call_id: id } } })).then(apply, () => undefined);
    }, 15_000);
    const tick = window.setInterval(() => setNow(Date.now()), 1000);
    return () => {
      window.clearInterval(beat);
      window.clearInterval(tick);
    };
  }, [active, call?.id]);

  // Leaving the page hangs up (as closing a call window does).
  useEffect(() => {
    if (!joined || !call) return;
    const id = call.id;
    const leave = () => void fetch(`/api/v1/calls/${id}/hangup`, { method: "POST", keepalive: true, credentials: "same-origin", headers: { "x-csrf-token": document.cookie.match(/bw_csrf=([^;]+)/)?.[1] ?? "" } });
    window.addEventListener("pagehide", leave);
    return () => window.removeEventListener("pagehide", leave);
  }, [joined, call?.id]);

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
          {call.state === "ringing" ? t("calls.waiting") : !joined ? t("calls.onOtherPage") : callTime(seconds)}
        </div>
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
        <Button shape="circle" size="large" danger type="primary" icon={<PhoneOutlined rotate={135} />} onClick={() => void hangUp()} aria-label={t("calls.hangUp")} data-testid="call-hangup" />
      </div>
    </div>
  );
}
