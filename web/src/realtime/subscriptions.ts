/**
 * Which topics this tab wants, and asking the server for them on every connection.
 *
 * A socket starts with `person:<me>` and the conversations one is in (`conv:<id>`, kept by the
 * server as memberships change); anything else (`unit:<id>` for a screen about a unit) is asked
 * for with `subscribe`. The server forgets a socket's topics when it closes, so every `hello`
 * asks for all wanted topics again. Several screens may want one topic: it is asked for once and
 * let go (`unsubscribe`) when the last of them closes its subscription.
 *
 * The server answers a `subscribe` with one `error` (`topic_refused`, naming the topic) per topic
 * it refused — one that does not exist and one that is not yours alike — then `subscribed` with
 * the rest. A refused topic is reported to the subscriptions that asked and is not asked for
 * again (a new `subscribe` call may try once more).
 */
import { canonicalTopic, TOPICS_PER_FRAME, type ClientFrame, type ServerEvent } from "./protocol";

/** Prefixes whose topics the server subscribes a socket to by itself: never unsubscribed. */
export const SERVER_KEPT = new Set(["person", "conv"]);

export interface SubscribeOptions {
  /**
   * The topics were granted: on the first answer and again after every reconnect. Events of
   * these topics flow from here on; what happened while the socket was away did not reach this
   * tab, so this is where a screen refetches what it shows.
   */
  onSubscribed?: (topics: string[]) => void;
  /**
   * A topic was refused (`topic_refused`: does not exist or is not yours) or is not a topic name
   * (`bad_topic`, refused here without asking). It is not asked for again.
   */
  onRefused?: (topic: string, code: string, title: string) => void;
}

export interface Subscription {
  /** The topics asked for (as the server writes them). */
  readonly topics: readonly string[];
  /** Granted on the current connection. */
  readonly granted: ReadonlySet<string>;
  readonly refused: ReadonlySet<string>;
  /** Lets go of the topics (unsubscribed once no other subscription wants them). */
  close(): void;
}

interface Sub extends Subscription {
  granted: Set<string>;
  refused: Set<string>;
  opts: SubscribeOptions;
  closed: boolean;
}

export class Subscriptions {
  /** Wanted topic → the subscriptions that want it. */
  private readonly want = new Map<string, Set<Sub>>();
  /** Topics granted on this connection. */
  private readonly granted = new Set<string>();
  /** A connection has said hello: frames can be sent. */
  private live = false;
  private readonly send: (frame: ClientFrame) => boolean;

  constructor(send: (frame: ClientFrame) => boolean) {
    this.send = send;
  }

  /** The topics wanted now (for tests and diagnostics). */
  wanted(): string[] {
    return [...this.want.keys()];
  }

  add(topics: readonly string[], opts: SubscribeOptions = {}): Subscription {
    const names: string[] = [];
    const bad: string[] = [];
    for (const t of topics) {
      const c = canonicalTopic(t);
      if (c == null) bad.push(t);
      else if (!names.includes(c)) names.push(c);
    }
    const sub: Sub = {
      topics: names,
      granted: new Set(),
      refused: new Set(bad),
      opts,
      closed: false,
      close: () => this.remove(sub),
    };
    const ask: string[] = [];
    const already: string[] = [];
    for (const t of names) {
      let subs = this.want.get(t);
      if (!subs) {
        subs = new Set();
        this.want.set(t, subs);
        ask.push(t);
      } else if (this.granted.has(t)) {
        already.push(t);
      }
      subs.add(sub);
    }
    already.forEach((t) => sub.granted.add(t));
    if (bad.length || already.length) {
      // Answered from what is known, but never from inside subscribe(): the caller has its
      // handle first, as it would for an answer from the server.
      queueMicrotask(() => {
        if (sub.closed) return;
        for (const t of bad) opts.onRefused?.(t, "bad_topic", `not a topic: ${t}`);
        const still = already.filter((t) => sub.granted.has(t));
        if (still.length) opts.onSubscribed?.(still);
      });
    }
    if (this.live) this.frames("subscribe", ask);
    return sub;
  }

  private remove(sub: Sub) {
    if (sub.closed) return;
    sub.closed = true;
    const drop: string[] = [];
    for (const t of sub.topics) {
      const subs = this.want.get(t);
      if (!subs?.delete(sub) || subs.size) continue;
      this.want.delete(t);
      this.granted.delete(t);
      if (!SERVER_KEPT.has(t.split(":")[0])) drop.push(t);
    }
    if (this.live) this.frames("unsubscribe", drop);
  }

  /** A connection said `hello`: ask for every wanted topic again (the server starts afresh). */
  connected() {
    this.live = true;
    this.granted.clear();
    for (const subs of this.want.values()) for (const s of subs) s.granted.clear();
    this.frames("subscribe", [...this.want.keys()]);
  }

  /** The connection is gone: nothing is granted until the next `hello`. */
  disconnected() {
    this.live = false;
    this.granted.clear();
    for (const subs of this.want.values()) for (const s of subs) s.granted.clear();
  }

  /** Takes the server's answers (`subscribed`, `topic_refused`); true when the event was one. */
  answer(ev: ServerEvent): boolean {
    if (ev.type === "subscribed") {
      const bySub = new Map<Sub, string[]>();
      for (const t of ev.topics) {
        const subs = this.want.get(t);
        if (!subs) continue; // let go of while the answer was on its way
        this.granted.add(t);
        for (const s of subs) {
          s.granted.add(t);
          bySub.set(s, [...(bySub.get(s) ?? []), t]);
        }
      }
      for (const [s, ts] of bySub) s.opts.onSubscribed?.(ts);
      return true;
    }
    if (ev.type === "error" && ev.code === "topic_refused" && ev.topic) {
      const t = canonicalTopic(ev.topic) ?? ev.topic;
      const subs = this.want.get(t);
      this.want.delete(t);
      this.granted.delete(t);
      for (const s of subs ?? []) {
        s.granted.delete(t);
        s.refused.add(t);
        s.opts.onRefused?.(t, ev.code, ev.title);
      }
      return true;
    }
    return ev.type === "unsubscribed";
  }

  private frames(type: "subscribe" | "unsubscribe", topics: string[]) {
    for (let i = 0; i < topics.length; i += TOPICS_PER_FRAME) {
      // Not sent (the socket just closed): the next hello asks for every wanted topic anyway.
      if (!this.send({ type, topics: topics.slice(i, i + TOPICS_PER_FRAME) })) return;
    }
  }
}
