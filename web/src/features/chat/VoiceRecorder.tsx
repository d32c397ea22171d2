import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";
import { Button, Tooltip } from "antd";
import { AudioOutlined, CloseOutlined, SendOutlined } from "@ant-design/icons";
import { useT, type MessageKey } from "../../i18n";
import {
  VOICE_BITS_PER_SECOND,
  VOICE_MAX_MS,
  VOICE_MIN_MS,
  VOICE_WARN_MS,
  formatElapsed,
  microphoneError,
  pickRecordingType,
  recordingName,
  recordingUnavailable,
} from "./voice";

export type RecorderState = "idle" | "starting" | "recording";

interface Take {
  recorder: MediaRecorder;
  stream: MediaStream;
  chunks: Blob[];
  started: number;
  timer: number;
  send: boolean;
}

/**
 * Records a voice message with MediaRecorder (Opus where the browser offers it, voice.ts):
 * `start` asks for the microphone and records; `finish(true)` stops and hands the recording
 * and its length to `onDone`, `finish(false)` throws it away. It stops and sends by itself at
 * 60 s. A recording under a second, a refused or missing microphone, or a browser that cannot
 * record: `onError` with what to tell the user; nothing else happens. The same tap flow on a
 * phone (tap to record, tap to send): holding a finger down is interrupted by the browser's
 * permission prompt on the first use and by long-press menus, so it is not used.
 */
export function useVoiceRecorder(onDone: (file: File, durationMs: number) => void, onError: (key: MessageKey) => void) {
  const [state, setState] = useState<RecorderState>("idle");
  const [elapsed, setElapsed] = useState(0);
  const take = useRef<Take | null>(null);
  const mounted = useRef(true);
  const done = useRef(onDone);
  const failed = useRef(onError);
  done.current = onDone;
  failed.current = onError;

  const finish = useCallback((send: boolean) => {
    const r = take.current;
    if (!r || r.recorder.state === "inactive") return;
    r.send = send;
    r.recorder.stop();
  }, []);

  const start = useCallback(async () => {
    if (take.current || state !== "idle") return;
    const unavailable = recordingUnavailable({
      secure: window.isSecureContext,
      mediaDevices: !!navigator.mediaDevices?.getUserMedia,
      recorder: typeof MediaRecorder !== "undefined",
    });
    if (unavailable) return failed.current(unavailable);
    setState("starting");
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true } });
    } catch (e) {
      if (mounted.current) setState("idle");
      return mounted.current ? failed.current(microphoneError(e)) : undefined;
    }
    if (!mounted.current) {
      stream.getTracks().forEach((t) => t.stop()); // left while the browser asked
      return;
    }
    let recorder: MediaRecorder;
    try {
      const mimeType = pickRecordingType((t) => MediaRecorder.isTypeSupported(t));
      recorder = new MediaRecorder(stream, { ...(mimeType ? { mimeType } : {}), audioBitsPerSecond: VOICE_BITS_PER_SECOND });
    } catch {
      stream.getTracks().forEach((t) => t.stop());
      setState("idle");
      return failed.current("voice.unsupported");
    }
    const r: Take = { recorder, stream, chunks: [], started: performance.now(), timer: 0, send: false };
    take.current = r;
    recorder.ondataavailable = (e) => {
      if (e.data.size) r.chunks.push(e.data);
    };
    recorder.onstart = () => {
      r.started = performance.now();
    };
    recorder.onstop = () => {
      window.clearInterval(r.timer);
      r.stream.getTracks().forEach((t) => t.stop());
      take.current = null;
      setState("idle");
      setElapsed(0);
      if (!r.send) return;
      const ms = Math.min(VOICE_MAX_MS, Math.round(performance.now() - r.started));
      if (ms < VOICE_MIN_MS || !r.chunks.length) return failed.current("voice.tooShort");
      const type = recorder.mimeType || r.chunks[0].type || "audio/webm";
      done.current(new File(r.chunks, recordingName(type), { type }), ms);
    };
    recorder.onerror = () => {
      r.send = false;
      failed.current("voice.micFailed");
      if (recorder.state !== "inactive") recorder.stop();
    };
    r.timer = window.setInterval(() => {
      const ms = performance.now() - r.started;
      setElapsed(ms);
      if (ms >= VOICE_MAX_MS) finish(true); // a minute: it goes as it is
    }, 200);
    recorder.start();
    setState("recording");
  }, [state, finish]);

  // Leaving the conversation while recording throws the recording away and frees the microphone.
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      finish(false);
    };
  }, [finish]);

  return { state, elapsed, start, finish };
}

/** The microphone button in the composer's tools (`label`: what it does elsewhere, e.g. a DING's voice note). */
export function VoiceButton({ state, onStart, label, children }: { state: RecorderState; onStart: () => void; label?: string; children?: ReactNode }) {
  const t = useT();
  const title = label ?? t("voice.record");
  return (
    <Tooltip title={title} open={state === "idle" && !children ? undefined : false}>
      <Button
        type={children ? "default" : "text"}
        icon={<AudioOutlined />}
        loading={state === "starting"}
        disabled={state === "recording"}
        onClick={onStart}
        aria-label={title}
        data-testid="chat-voice"
      >
        {children}
      </Button>
    </Tooltip>
  );
}

/** What replaces the text box while recording: cancel, the time so far, send (`doneLabel`: another word for it). */
export function RecordingBar({ elapsed, onCancel, onSend, doneLabel }: { elapsed: number; onCancel: () => void; onSend: () => void; doneLabel?: string }) {
  const t = useT();
  const left = Math.max(0, Math.ceil((VOICE_MAX_MS - elapsed) / 1000));
  return (
    <div className="bw-voice-rec" data-testid="chat-recording" role="status" aria-live="polite">
      <Button shape="circle" icon={<CloseOutlined />} onClick={onCancel} aria-label={t("voice.cancel")} title={t("voice.cancel")} data-testid="chat-voice-cancel" />
      <span className="bw-voice-rec-dot" aria-hidden />
      <span className="bw-voice-rec-label">{t("voice.recording")}</span>
      <span className="bw-voice-rec-time" data-testid="chat-voice-elapsed">
        {formatElapsed(elapsed)}
      </span>
      {elapsed >= VOICE_WARN_MS && <span className="bw-voice-rec-left">{t("voice.left", { n: left })}</span>}
      <span style={{ flex: 1 }} />
      <Button type="primary" icon={<SendOutlined />} onClick={onSend} data-testid="chat-voice-send">
        {doneLabel ?? t("voice.send")}
      </Button>
    </div>
  );
}
