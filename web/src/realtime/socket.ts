/**
 * The WebSocket itself (`/api/v1/events`, same origin, cookie auth): reconnects with exponential
 * backoff and jitter (at once when the network returns or the tab becomes visible), sends an
 * application ping every 25 s, hands every parsed frame to `onEvent`. The server's first frame on
 * every connection is `hello`. `service.ts` builds the tab's real-time service on it.
 */
import { parseEvent, type ClientFrame, type ServerEvent } from "./protocol";

export type SocketStatus = "connecting" | "open" | "closed" | "auth";

export interface SocketOptions {
  url?: string;
  onEvent: (ev: ServerEvent) => void;
  onStatus?: (s: SocketStatus) => void;
}

/** What the service needs of a connection (a fake one in tests). */
export interface Transport {
  start(): void;
  stop(): void;
  /** Sends a frame if the socket is open; false otherwise. */
  send(frame: ClientFrame): boolean;
}

/** Reconnect delay: exponential (0.5 s doubling, at most 30 s) with full jitter in [d/2, d]. */
export function backoff(attempt: number, random: () => number = Math.random): number {
  const d = Math.min(30_000, 500 * 2 ** Math.min(attempt, 10));
  return Math.round(d / 2 + (random() * d) / 2);
}

export function eventsUrl(): string {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  return `${proto}//${location.host}/api/v1/events`;
}

export class RealtimeSocket implements Transport {
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
        console.error("realtime event failed", ev.type, err);
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
