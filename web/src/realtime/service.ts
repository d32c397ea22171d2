/**
 * The tab's one real-time service: the socket (reconnects, ping, connection state), the
 * dispatcher every area registers its handlers on, and the topics the tab subscribes to.
 *
 *   realtime.events.register({ "message.new": (ev) => ..., hello: () => resync() })
 *   const sub = realtime.subscribe(["unit:3"], { onSubscribed: refetch, onRefused })
 *   sub.close()
 *
 * On every connection the server first sends `hello`: the service asks for the wanted topics
 * again, then hands `hello` to the areas (their cue to resync what they show). The socket is open
 * while anything holds it (`acquire`), so a page without live parts opens none.
 */
import { Dispatcher } from "./dispatcher";
import type { ClientFrame, ServerEvent } from "./protocol";
import { RealtimeSocket, type SocketOptions, type SocketStatus, type Transport } from "./socket";
import { Subscriptions, type SubscribeOptions, type Subscription } from "./subscriptions";

export type MakeTransport = (opts: SocketOptions) => Transport;

/** How long the socket stays open after the last holder let go (a remount keeps it). */
const LINGER_MS = 1000;

export class Realtime {
  readonly events = new Dispatcher();
  status: SocketStatus = "closed";
  /** Called when the server refuses the socket for its session (4401/4403): ask for a login. */
  onAuthLost: (() => void) | null = null;
  private readonly transport: Transport;
  private readonly subs: Subscriptions;
  private readonly statusListeners = new Set<(s: SocketStatus) => void>();
  private holders = 0;
  private linger: ReturnType<typeof setTimeout> | null = null;
  private running = false;

  constructor(make: MakeTransport = (opts) => new RealtimeSocket(opts)) {
    this.transport = make({ onEvent: (ev) => this.receive(ev), onStatus: (s) => this.setStatus(s) });
    this.subs = new Subscriptions((f) => this.transport.send(f));
  }

  /** Keeps the socket open until the returned function is called (by every holder). */
  acquire(): () => void {
    this.holders++;
    if (this.linger) clearTimeout(this.linger);
    this.linger = null;
    this.start();
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.holders = Math.max(0, this.holders - 1);
      if (this.holders > 0) return;
      this.linger = setTimeout(() => {
        this.linger = null;
        if (this.holders === 0) this.stop();
      }, LINGER_MS);
    };
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.transport.start();
  }

  stop() {
    if (!this.running) return;
    this.running = false;
    this.transport.stop();
    this.subs.disconnected();
  }

  /** Sends a frame if connected; false otherwise (the caller falls back to REST). */
  send(frame: ClientFrame): boolean {
    return this.transport.send(frame);
  }

  /** Receives these topics' events from now on, on every connection, until `close()`. */
  subscribe(topics: readonly string[], opts?: SubscribeOptions): Subscription {
    return this.subs.add(topics, opts);
  }

  /** The topics this tab asks the server for. */
  wantedTopics(): string[] {
    return this.subs.wanted();
  }

  onStatus(fn: (s: SocketStatus) => void): () => void {
    this.statusListeners.add(fn);
    return () => this.statusListeners.delete(fn);
  }

  /** One frame from the server (the transport calls this; tests too). */
  receive(ev: ServerEvent) {
    if (ev.type === "hello") this.subs.connected();
    else this.subs.answer(ev);
    this.events.dispatch(ev);
  }

  private setStatus(s: SocketStatus) {
    if (s !== "open") this.subs.disconnected();
    if (s === "auth" && this.status !== "auth") this.onAuthLost?.();
    this.status = s;
    this.statusListeners.forEach((fn) => fn(s));
  }
}

/** The tab's service. */
export const realtime = new Realtime();
