/**
 * Voice messages (语音), the parts without a screen: how long one is said to be, how wide its
 * bubble is, which recording format this browser can make, why the microphone could not be
 * used, and which received voice messages this device has played (the unplayed dot).
 *
 * The server's rules (chat/voice.py): 1–60 s, at most 2 MB, WebM / Ogg / MP4 with sound only.
 */
import type { MessageKey } from "../../i18n";

export const VOICE_MIN_MS = 1_000;
export const VOICE_MAX_MS = 60_000;
/** From here on the recording bar says how many seconds are left. */
export const VOICE_WARN_MS = 50_000;
/** 32 kbit/s Opus: clear speech, a minute in about 240 KB. */
export const VOICE_BITS_PER_SECOND = 32_000;

/** Whole seconds as a bubble shows them: rounded, 1 to 60. */
export function voiceSeconds(ms: number): number {
  return Math.min(60, Math.max(1, Math.round(ms / 1000)));
}

/** A voice message's length as WeChat and DingTalk write it: 12″. */
export function formatVoice(ms: number): string {
  return `${voiceSeconds(ms)}″`;
}

/** Time recorded so far, as the recording bar shows it: 0:07, 1:00. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export const BUBBLE_MIN = 76;
export const BUBBLE_MAX = 220;

/**
 * The bubble's width in pixels: longer messages are wider, quickly at first and then slowly
 * (a square root), so that 2″ and 10″ look different and 60″ still fits a phone.
 */
export function voiceWidth(ms: number): number {
  const s = voiceSeconds(ms);
  return Math.round(BUBBLE_MIN + (BUBBLE_MAX - BUBBLE_MIN) * Math.sqrt((s - 1) / 59));
}

/** What to record in, best first: Opus everywhere it is offered; MP4 (Safari) otherwise. */
export const RECORDING_TYPES = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/mp4;codecs=opus", "audio/webm", "audio/mp4"];

/** The first type this browser records (`supported`: MediaRecorder.isTypeSupported); "" lets it choose. */
export function pickRecordingType(supported: (type: string) => boolean): string {
  return RECORDING_TYPES.find((t) => supported(t)) ?? "";
}

/** A file name for a recording of `type` ("audio/webm;codecs=opus" → voice-….webm). */
export function recordingName(type: string, now = new Date()): string {
  const base = type.split(";")[0].trim();
  const ext = base === "audio/ogg" ? "ogg" : base.endsWith("/mp4") ? "m4a" : "webm";
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\..*$/, "");
  return `voice-${stamp}.${ext}`;
}

/** Why recording cannot start in this browser at all; null if it can try. */
export function recordingUnavailable(env: { secure: boolean; mediaDevices: boolean; recorder: boolean }): MessageKey | null {
  if (!env.secure) return "voice.needsHttps";
  if (!env.mediaDevices || !env.recorder) return "voice.unsupported";
  return null;
}

/** What to tell the user when getUserMedia fails, by the error's name. */
export function microphoneError(e: unknown): MessageKey {
  const name = e instanceof Error || (typeof e === "object" && e && "name" in e) ? String((e as { name: unknown }).name) : "";
  if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError") return "voice.micDenied";
  if (name === "NotFoundError" || name === "OverconstrainedError" || name === "DevicesNotFoundError") return "voice.micMissing";
  if (name === "NotReadableError" || name === "AbortError") return "voice.micBusy";
  return "voice.micFailed";
}

/**
 * The received voice messages this device has played, so the red dot goes once one is heard.
 * Kept per person in this browser's localStorage (not on the server: another device shows the
 * dot again), the newest `PLAYED_KEEP` only.
 */
export const PLAYED_KEEP = 500;
const playedKey = (me: number) => `bw.voicePlayed.${me}`;

function readPlayed(store: Storage | undefined, me: number): string[] {
  try {
    const v: unknown = JSON.parse(store?.getItem(playedKey(me)) ?? "[]");
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

const defaultStore = (): Storage | undefined => (typeof localStorage === "undefined" ? undefined : localStorage);

export function isPlayed(me: number, conversation: number, seq: number, store = defaultStore()): boolean {
  return readPlayed(store, me).includes(`${conversation}:${seq}`);
}

export function markPlayed(me: number, conversation: number, seq: number, store = defaultStore()): void {
  const id = `${conversation}:${seq}`;
  const list = readPlayed(store, me).filter((x) => x !== id);
  list.push(id);
  try {
    store?.setItem(playedKey(me), JSON.stringify(list.slice(-PLAYED_KEEP)));
  } catch {
    /* storage full or disabled: the dot comes back after a reload, nothing worse */
  }
}
