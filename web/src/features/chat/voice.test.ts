import { describe, expect, it } from "vitest";
import zhCN from "../../i18n/locales/zh-CN";
import enUS from "../../i18n/locales/en-US";
import { format, type TFunction } from "../../i18n";
import type { Message } from "./api";
import { previewText } from "./text";
import {
  BUBBLE_MAX,
  BUBBLE_MIN,
  PLAYED_KEEP,
  formatElapsed,
  formatVoice,
  isPlayed,
  markPlayed,
  microphoneError,
  pickRecordingType,
  recordingName,
  recordingUnavailable,
  voiceWidth,
} from "./voice";

function memoryStore(): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, v),
  };
}

const tFor =
  (m: Record<string, string>): TFunction =>
  (key, params) =>
    format(m[key] ?? key, params);

describe("voice messages", () => {
  it("read as [语音] / [Voice] in the list, quotes and notifications", () => {
    const m = {
      conversation_id: 1,
      seq: 3,
      sender: { id: 2, name: "王老师" },
      kind: "voice",
      body: null,
      mentions: [],
      file: { id: 9, name: "voice.webm", content_type: "audio/webm", size: 9000, duration_ms: 12_000 },
      created_at: "2026-11-27T08:00:00Z",
    } as unknown as Message;
    expect(previewText(m, tFor(zhCN))).toBe("[语音]");
    expect(previewText(m, tFor(enUS))).toBe("[Voice]");
  });

  it("write their length in whole seconds, 1″ to 60″", () => {
    expect(formatVoice(2_400)).toBe("2″");
    expect(formatVoice(2_500)).toBe("3″");
    expect(formatVoice(12_000)).toBe("12″");
    expect(formatVoice(300)).toBe("1″");
    expect(formatVoice(60_400)).toBe("60″");
    expect(formatVoice(75_000)).toBe("60″");
  });

  it("show the time recorded as m:ss", () => {
    expect(formatElapsed(0)).toBe("0:00");
    expect(formatElapsed(7_900)).toBe("0:07");
    expect(formatElapsed(60_000)).toBe("1:00");
    expect(formatElapsed(-5)).toBe("0:00");
  });

  it("get wider as they get longer, within bounds", () => {
    expect(voiceWidth(1_000)).toBe(BUBBLE_MIN);
    expect(voiceWidth(60_000)).toBe(BUBBLE_MAX);
    expect(voiceWidth(90_000)).toBe(BUBBLE_MAX);
    const widths = [1, 2, 5, 10, 20, 30, 45, 60].map((s) => voiceWidth(s * 1000));
    for (let i = 1; i < widths.length; i++) expect(widths[i]).toBeGreaterThan(widths[i - 1]);
    // Short ones differ visibly: 2″ and 10″ are far apart.
    expect(voiceWidth(10_000) - voiceWidth(2_000)).toBeGreaterThan(30);
    // The widest fits a phone's bubble column (80 % of 390 px).
    expect(BUBBLE_MAX).toBeLessThanOrEqual(390 * 0.8 - 40);
  });

  it("record Opus where the browser can, else what it offers", () => {
    expect(pickRecordingType((t) => t.startsWith("audio/webm"))).toBe("audio/webm;codecs=opus");
    expect(pickRecordingType((t) => t.startsWith("audio/ogg"))).toBe("audio/ogg;codecs=opus"); // Firefox
    expect(pickRecordingType((t) => t === "audio/mp4")).toBe("audio/mp4"); // older Safari
    expect(pickRecordingType(() => false)).toBe("");
    const at = new Date("2026-11-27T08:09:10.123Z");
    expect(recordingName("audio/webm;codecs=opus", at)).toBe("voice-20261127T080910.webm");
    expect(recordingName("audio/ogg;codecs=opus", at)).toBe("voice-20261127T080910.ogg");
    expect(recordingName("audio/mp4", at)).toBe("voice-20261127T080910.m4a");
  });

  it("say why the microphone cannot be used", () => {
    expect(recordingUnavailable({ secure: false, mediaDevices: false, recorder: true })).toBe("voice.needsHttps");
    expect(recordingUnavailable({ secure: true, mediaDevices: true, recorder: false })).toBe("voice.unsupported");
    expect(recordingUnavailable({ secure: true, mediaDevices: true, recorder: true })).toBeNull();
    expect(microphoneError(new DOMException("denied", "NotAllowedError"))).toBe("voice.micDenied");
    expect(microphoneError({ name: "NotFoundError" })).toBe("voice.micMissing");
    expect(microphoneError(new DOMException("busy", "NotReadableError"))).toBe("voice.micBusy");
    expect(microphoneError(new Error("?"))).toBe("voice.micFailed");
    expect(microphoneError(undefined)).toBe("voice.micFailed");
  });

  it("remember on this device which were played, per person, the newest few hundred", () => {
    const store = memoryStore();
    expect(isPlayed(7, 3, 10, store)).toBe(false);
    markPlayed(7, 3, 10, store);
    expect(isPlayed(7, 3, 10, store)).toBe(true);
    expect(isPlayed(8, 3, 10, store)).toBe(false); // another person on this browser
    for (let i = 0; i < PLAYED_KEEP; i++) markPlayed(7, 4, i, store);
    expect(isPlayed(7, 3, 10, store)).toBe(false); // the oldest is forgotten
    expect(isPlayed(7, 4, PLAYED_KEEP - 1, store)).toBe(true);
    store.setItem("bw.voicePlayed.7", "not json");
    expect(isPlayed(7, 4, 1, store)).toBe(false);
  });
});
