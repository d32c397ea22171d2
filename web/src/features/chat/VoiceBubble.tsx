import { useState, useSyncExternalStore } from "react";
import { App } from "antd";
import { AudioOutlined, CaretRightFilled, PauseOutlined } from "@ant-design/icons";
import { useT } from "../../i18n";
import { formatVoice, isPlayed, markPlayed, voiceSeconds, voiceWidth } from "./voice";

/**
 * One voice message plays at a time, in one <audio> for the whole page: starting another stops
 * the one playing. What it plays and how far it got is this small store, which every bubble
 * reads (useSyncExternalStore), so a bubble shows "playing" only while it is its own file.
 */
interface Playing {
  /** The URL playing (a chat file, a DING's voice note). */
  id: string | null;
  playing: boolean;
  /** Seconds played. */
  position: number;
}

let audio: HTMLAudioElement | null = null;
let now: Playing = { id: null, playing: false, position: 0 };
const listeners = new Set<() => void>();

function set(p: Partial<Playing>) {
  now = { ...now, ...p };
  listeners.forEach((l) => l());
}

function subscribe(l: () => void) {
  listeners.add(l);
  return () => void listeners.delete(l);
}

/** Plays the recording at `id` (a URL; or pauses it, or goes on with it); `onFail` if the browser cannot play it. */
function toggle(id: string, onFail: () => void) {
  if (audio && now.id === id) {
    if (audio.paused) void audio.play().catch(onFail);
    else audio.pause();
    return;
  }
  audio?.pause();
  const a = new Audio(id);
  audio = a;
  set({ id, playing: false, position: 0 });
  const mine = () => audio === a;
  a.addEventListener("playing", () => mine() && set({ playing: true }));
  a.addEventListener("pause", () => mine() && set({ playing: false }));
  a.addEventListener("timeupdate", () => mine() && set({ position: a.currentTime }));
  a.addEventListener("ended", () => {
    if (!mine()) return;
    audio = null;
    set({ id: null, playing: false, position: 0 });
  });
  a.addEventListener("error", () => {
    if (!mine()) return;
    audio = null;
    set({ id: null, playing: false, position: 0 });
    onFail();
  });
  void a.play().catch((e: unknown) => {
    // Paused before it began (another one started): nothing wrong.
    if (!(e instanceof DOMException && e.name === "AbortError") && mine()) onFail();
  });
}

function usePlaying(): Playing {
  return useSyncExternalStore(subscribe, () => now);
}

/**
 * A voice message's bubble: play / pause, the length (12″), a width that grows with it, the
 * part played filled in as it plays. A received one that this device has not played yet has a
 * red dot (kept in localStorage, voice.ts: another device shows it again). `src`: a recording
 * that is not a chat file (a DING's voice note: no dot, as it has no conversation).
 */
export function VoiceBubble({
  fileId,
  durationMs,
  mine,
  me,
  conversation,
  seq,
  src,
}: {
  fileId: number;
  durationMs: number;
  mine: boolean;
  me?: number;
  conversation?: number;
  seq?: number;
  src?: string;
}) {
  const t = useT();
  const { message } = App.useApp();
  const p = usePlaying();
  const track = me != null && conversation != null && seq != null ? { me, conversation, seq } : null;
  const [played, setPlayed] = useState(() => mine || !track || isPlayed(track.me, track.conversation, track.seq));
  const url = src ?? `/api/v1/files/${fileId}`;
  const current = p.id === url;
  const playing = current && p.playing;
  const progress = current ? Math.min(1, (p.position * 1000) / Math.max(1, durationMs)) : 0;
  const state = playing ? "playing" : current ? "paused" : "idle";
  return (
    <span className="bw-voice-wrap">
      <button
        type="button"
        className={`bw-voice${mine ? " bw-voice-mine" : ""}`}
        style={{ width: voiceWidth(durationMs) }}
        data-testid="chat-voice-bubble"
        data-state={state}
        aria-label={playing ? t("voice.pause") : t("voice.play", { n: voiceSeconds(durationMs) })}
        aria-pressed={playing}
        onClick={() => {
          if (!played && track) {
            markPlayed(track.me, track.conversation, track.seq);
            setPlayed(true);
          }
          toggle(url, () => void message.error(t("voice.playFailed")));
        }}
      >
        <span className="bw-voice-progress" style={{ width: `${progress * 100}%` }} data-testid="chat-voice-progress" />
        <span className="bw-voice-icon">{playing ? <PauseOutlined /> : <CaretRightFilled />}</span>
        <span className="bw-voice-length" data-testid="chat-voice-length">
          {formatVoice(durationMs)}
        </span>
      </button>
      {!played && <span className="bw-voice-dot" data-testid="chat-voice-unplayed" title={t("voice.unplayed")} aria-label={t("voice.unplayed")} />}
    </span>
  );
}

/** A voice message still being sent: its length, not yet playable. */
export function PendingVoice({ durationMs }: { durationMs: number }) {
  return (
    <span className="bw-voice bw-voice-mine bw-voice-pending" style={{ width: voiceWidth(durationMs) }}>
      <span className="bw-voice-icon">
        <AudioOutlined />
      </span>
      <span className="bw-voice-length">{formatVoice(durationMs)}</span>
    </span>
  );
}
