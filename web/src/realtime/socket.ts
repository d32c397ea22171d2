/**
 * The one WebSocket of a tab (`/api/v1/events`, same origin, cookie auth): reconnects with
 * exponential backoff and jitter, sends an application ping when idle, hands every parsed event to
 * `onEvent`. The server's first frame on every connection is `hello`, which triggers the resync.
 */
import { backoff } from "./history";
import { parseEvent, type ClientFrame, type ServerEvent } from "./events";

export type SocketStatus = "connecting" | "open" | "closed" | "auth";

export interface SocketOptions {
  url?: string;
  onEvent: (ev: ServerEvent) => void;
  onStatus?: (s: SocketStatus) => void;
}

export function eventsUrl(): string {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  return `${proto}//${location.host}/api/v1/events`;
}

export class RealtimeSocket {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private pinger: ReturnType<typeof setInterval> | null = null;
  private stopped = true;
  status: SocketStatus = "closed";
  private readonly opts: SocketOptions;

  constructor(opts: SocketOptions) {
    this.opts = opts;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    window.addEventListener("online", this.kick);
    document.addEventListener("visibilitychange", this.kick);
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    window.removeEventListener("online", this.kick);
    document.removeEventListener("visibilitychange", this.kick);
    if (this.timer) clearTimeout(this.timer);
    if (this.pinger) clearInterval(this.pinger);
    this.timer = null;
    this.pinger = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onclose = null;
      ws.close(1000);
    }
    this.setStatus("closed");
  }

  /** Sends a frame if the socket is open; false otherwise (the caller falls back to REST). */
  send(frame: ClientFrame): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** Reconnect now (network came back, tab became visible) instead of waiting for the backoff. */
  private kick = () => {
    if (this.stopped || document.visibilityState === "hidden") return;
    if (this.ws == null && this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      this.connect();
    }
  };

  private setStatus(s: SocketStatus) {
    this.status = s;
    this.opts.onStatus?.(s);
  }

  private connect() {
    this.timer = null;
    this.setStatus("connecting");
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.opts.url ?? eventsUrl());
    } catch {
      this.schedule();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.setStatus("open");
      if (this.pinger) clearInterval(this.pinger);
      this.pinger = setInterval(() => this.send({ type: "ping" }), 25_000);
    };
    ws.onmessage = (e) => {
      const ev = parseEvent(e.data);
      if (!ev) return;
      try {
        this.opts.onEvent(ev);
      } catch (err) {
        console.error("realtime event handler failed", ev.type, err);
      }
    };
    ws.onclose = (e) => {
      if (this.pinger) clearInterval(this.pinger);
      this.pinger = null;
      this.ws = null;
      if (this.stopped) return;
      if (e.code === 4401 || e.code === 4403) {
        // Not logged in (or must change password): try again slowly; the app handles the login.
        this.setStatus("auth");
        this.attempt = Math.max(this.attempt, 6);
      } else {
        this.setStatus("closed");
      }
      this.schedule();
    };
  }

  private schedule() {
    if (this.stopped) return;
    const delay = backoff(this.attempt++);
    this.timer = setTimeout(() => this.connect(), delay);
  }
}
