/**
 * The tab's real-time service with a fake connection: events routed by type to the areas'
 * handlers, and the topics asked for on every connection, refused ones reported.
 */
import { describe, expect, it, vi } from "vitest";
import { Dispatcher } from "./dispatcher";
import type { ClientFrame, EventOf, ServerEvent } from "./protocol";
import { Realtime } from "./service";
import type { SocketOptions, SocketStatus } from "./socket";

class FakeTransport {
  sent: ClientFrame[] = [];
  open = false;
  started = 0;
  constructor(readonly opts: SocketOptions) {}
  start() {
    this.started++;
  }
  stop() {
    this.open = false;
  }
  send(frame: ClientFrame) {
    if (!this.open) return false;
    this.sent.push(frame);
    return true;
  }
  status(s: SocketStatus) {
    this.open = s === "open";
    this.opts.onStatus?.(s);
  }
  /** A connection as the server starts it: open, then hello. */
  connect(person = 7) {
    this.status("open");
    this.opts.onEvent({ type: "hello", person_id: person, connection_id: "c" });
  }
  event(ev: ServerEvent) {
    this.opts.onEvent(ev);
  }
  /** Frames sent since the last call. */
  take(): ClientFrame[] {
    const s = this.sent;
    this.sent = [];
    return s;
  }
}

function setup() {
  let t!: FakeTransport;
  const rt = new Realtime((opts) => (t = new FakeTransport(opts)));
  rt.start();
  return { rt, t };
}

const refused = (topic: string): EventOf<"error"> => ({ type: "error", code: "topic_refused", title: "refused", topic });
const tick = () => new Promise((r) => setTimeout(r, 0));

const msgNew = {
  type: "message.new",
  conversation_id: 1,
  message: { conversation_id: 1, seq: 1, sender: null, kind: "text", body: "x", mentions: [], created_at: "2026-11-27T00:00:00Z", recalled: false },
} as EventOf<"message.new">;

describe("dispatcher", () => {
  it("routes each event to the handlers of its type only", () => {
    const d = new Dispatcher();
    const got: string[] = [];
    d.register({ "message.new": (ev) => got.push(`chat ${ev.message.seq}`), hello: (ev) => got.push(`hello ${ev.person_id}`) });
    d.on("members.changed", () => got.push("members"));
    expect(d.dispatch(msgNew)).toBe(1);
    d.dispatch({ type: "hello", person_id: 3, connection_id: "c" });
    expect(got).toEqual(["chat 1", "hello 3"]);
  });

  it("hands one event to several areas in order, even when one of them throws", () => {
    const d = new Dispatcher();
    const got: string[] = [];
    const quiet = vi.spyOn(console, "error").mockImplementation(() => undefined);
    d.on("hello", () => got.push("chat"));
    d.on("hello", () => {
      throw new Error("broken area");
    });
    d.on("hello", () => got.push("notices"));
    expect(d.dispatch({ type: "hello", person_id: 1, connection_id: "c" })).toBe(3);
    expect(got).toEqual(["chat", "notices"]);
    expect(quiet).toHaveBeenCalledOnce();
    quiet.mockRestore();
  });

  it("ignores types no one handles, including ones this client does not know", () => {
    const d = new Dispatcher();
    const fn = vi.fn();
    d.on("message.new", fn);
    expect(d.dispatch({ type: "notice.new", id: 1 } as unknown as ServerEvent)).toBe(0);
    expect(d.dispatch({ type: "pong" })).toBe(0);
    expect(fn).not.toHaveBeenCalled();
  });

  it("forgets an area's handlers when it unregisters", () => {
    const d = new Dispatcher();
    const a = vi.fn();
    const b = vi.fn();
    const off = d.register({ hello: a, pong: a });
    d.on("hello", b);
    off();
    d.dispatch({ type: "hello", person_id: 1, connection_id: "c" });
    d.dispatch({ type: "pong" });
    expect(a).not.toHaveBeenCalled();
    expect(b).toHaveBeenCalledOnce();
    expect(d.handles("pong")).toBe(false);
  });
});

describe("the service", () => {
  it("passes every frame to the dispatcher, hello after the topics are asked for again", () => {
    const { rt, t } = setup();
    const order: string[] = [];
    rt.subscribe(["unit:3"]);
    rt.events.on("hello", () => order.push(`hello, sent ${t.sent.length}`));
    rt.events.on("message.new", () => order.push("message"));
    t.connect();
    t.event(msgNew);
    expect(order).toEqual(["hello, sent 1", "message"]);
  });

  it("reports the connection's state and a socket refused for its session", () => {
    const { rt, t } = setup();
    const states: SocketStatus[] = [];
    const lost = vi.fn();
    rt.onAuthLost = lost;
    rt.onStatus((s) => states.push(s));
    t.status("connecting");
    t.status("open");
    t.status("auth");
    t.status("auth");
    expect(states).toEqual(["connecting", "open", "auth", "auth"]);
    expect(rt.status).toBe("auth");
    expect(lost).toHaveBeenCalledOnce();
  });

  it("keeps the socket while held, and a little after the last holder lets go", () => {
    vi.useFakeTimers();
    try {
      let t!: FakeTransport;
      const rt = new Realtime((opts) => (t = new FakeTransport(opts)));
      const stop = vi.spyOn(FakeTransport.prototype, "stop");
      const a = rt.acquire();
      const b = rt.acquire();
      expect(t.started).toBe(1);
      a();
      a();
      b();
      vi.advanceTimersByTime(500);
      const c = rt.acquire(); // a remount: the same socket
      vi.advanceTimersByTime(2000);
      expect(stop).not.toHaveBeenCalled();
      c();
      vi.advanceTimersByTime(1000);
      expect(stop).toHaveBeenCalledOnce();
      stop.mockRestore();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("subscriptions", () => {
  it("are asked for once connected, and again after every reconnect", () => {
    const { rt, t } = setup();
    const granted: string[][] = [];
    rt.subscribe(["unit:3", "unit:4"], { onSubscribed: (ts) => granted.push(ts) });
    expect(t.take()).toEqual([]); // not connected yet
    t.connect();
    expect(t.take()).toEqual([{ type: "subscribe", topics: ["unit:3", "unit:4"] }]);
    t.event({ type: "subscribed", topics: ["unit:3", "unit:4"] });
    expect(granted).toEqual([["unit:3", "unit:4"]]);

    t.status("closed");
    t.status("connecting");
    expect(t.take()).toEqual([]);
    t.connect();
    expect(t.take()).toEqual([{ type: "subscribe", topics: ["unit:3", "unit:4"] }]);
    t.event({ type: "subscribed", topics: ["unit:3", "unit:4"] });
    // Each grant is the cue to refetch: events while away were not delivered.
    expect(granted).toHaveLength(2);
  });

  it("ask for a topic once however many screens want it, and let it go with the last", async () => {
    const { rt, t } = setup();
    t.connect();
    const a = rt.subscribe(["unit:3"]);
    expect(t.take()).toEqual([{ type: "subscribe", topics: ["unit:3"] }]);
    t.event({ type: "subscribed", topics: ["unit:3"] });
    const later = vi.fn();
    const b = rt.subscribe(["unit:03", "unit:5"], { onSubscribed: later });
    expect(t.take()).toEqual([{ type: "subscribe", topics: ["unit:5"] }]);
    expect(b.topics).toEqual(["unit:3", "unit:5"]);
    await tick();
    expect(later).toHaveBeenCalledWith(["unit:3"]); // already granted: told at once
    a.close();
    a.close();
    expect(t.take()).toEqual([]);
    b.close();
    expect(t.take()).toEqual([{ type: "unsubscribe", topics: ["unit:3", "unit:5"] }]);
    expect(rt.wantedTopics()).toEqual([]);
    t.connect();
    expect(t.take()).toEqual([]);
  });

  it("report refused topics to whoever asked, and do not ask for them again", async () => {
    const { rt, t } = setup();
    const onRefused = vi.fn();
    const onSubscribed = vi.fn();
    const sub = rt.subscribe(["unit:3", "unit:99", "unit:x"], { onRefused, onSubscribed });
    await tick();
    expect(onRefused).toHaveBeenCalledWith("unit:x", "bad_topic", expect.any(String)); // never sent
    t.connect();
    expect(t.take()).toEqual([{ type: "subscribe", topics: ["unit:3", "unit:99"] }]);
    t.event(refused("unit:99"));
    t.event({ type: "subscribed", topics: ["unit:3"] });
    expect(onRefused).toHaveBeenCalledWith("unit:99", "topic_refused", "refused");
    expect(onSubscribed).toHaveBeenCalledExactlyOnceWith(["unit:3"]);
    expect([...sub.granted]).toEqual(["unit:3"]);
    expect([...sub.refused].sort()).toEqual(["unit:99", "unit:x"]);
    t.connect();
    expect(t.take()).toEqual([{ type: "subscribe", topics: ["unit:3"] }]);
    // Asking again is a new question.
    rt.subscribe(["unit:99"]);
    expect(t.take()).toEqual([{ type: "subscribe", topics: ["unit:99"] }]);
  });

  it("never let go of topics the server keeps by itself (one's own, one's conversations)", () => {
    const { rt, t } = setup();
    t.connect();
    const s = rt.subscribe(["conv:5", "person:7", "unit:2"]);
    expect(t.take()).toEqual([{ type: "subscribe", topics: ["conv:5", "person:7", "unit:2"] }]);
    s.close();
    expect(t.take()).toEqual([{ type: "unsubscribe", topics: ["unit:2"] }]);
  });

  it("send at most 50 topics a frame", () => {
    const { rt, t } = setup();
    rt.subscribe(Array.from({ length: 120 }, (_, i) => `unit:${i + 1}`));
    t.connect();
    expect(t.take().map((f) => (f.type === "subscribe" ? f.topics.length : 0))).toEqual([50, 50, 20]);
  });

  it("ignore an answer for a topic let go of meanwhile", () => {
    const { rt, t } = setup();
    t.connect();
    const fn = vi.fn();
    rt.subscribe(["unit:3"], { onSubscribed: fn }).close();
    t.event({ type: "subscribed", topics: ["unit:3"] });
    t.event({ type: "unsubscribed", topics: ["unit:3"] });
    expect(fn).not.toHaveBeenCalled();
  });

  it("are not granted while the socket is away", () => {
    const { rt, t } = setup();
    const sub = rt.subscribe(["unit:3"]);
    t.connect();
    t.event({ type: "subscribed", topics: ["unit:3"] });
    expect(sub.granted.has("unit:3")).toBe(true);
    t.status("closed");
    expect(sub.granted.size).toBe(0);
  });
});
