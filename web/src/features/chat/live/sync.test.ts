/**
 * Chat as one area of the tab's real-time service: its handlers get chat's events from the
 * dispatcher (beside other areas' handlers), write them into the query cache, drop malformed ones,
 * and go when replaced by a new query cache's.
 */
import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it, vi } from "vitest";
import type { ClientFrame, ServerEvent } from "../../../realtime/protocol";
import { Realtime } from "../../../realtime/service";
import type { SocketOptions } from "../../../realtime/socket";
import type { ConversationOut, MessageOut } from "./events";
import { chatKeys, chatSyncFor } from "./sync";

const ME = 7;

function service() {
  let opts!: SocketOptions;
  const sent: ClientFrame[] = [];
  const rt = new Realtime((o) => {
    opts = o;
    return { start() {}, stop() {}, send: (f: ClientFrame) => (sent.push(f), true) };
  });
  return { rt, sent, push: (ev: unknown) => opts.onEvent(ev as ServerEvent) };
}

const conv = (id: number, over: Partial<ConversationOut> = {}): ConversationOut => ({
  id,
  kind: "group",
  name: `g${id}`,
  avatar_file_id: null,
  unit_id: null,
  private: false,
  burn_seconds: null,
  member_count: 3,
  my_role: "member",
  muted: false,
  last_seq: 2,
  last_read_seq: 2,
  unread: 0,
  last_message: null,
  last_message_at: "2026-11-24T08:00:00Z",
  ...over,
}) as ConversationOut;

const msg = (seq: number): MessageOut =>
  ({
    conversation_id: 1,
    seq,
    sender: { id: 2, name: "B" },
    kind: "text",
    body: `m${seq}`,
    mentions: [],
    created_at: `2026-11-24T08:0${seq}:00Z`,
    recalled: false,
  }) as MessageOut;

describe("chat on the real-time service", () => {
  it("gets its events through the dispatcher, beside other areas", () => {
    const { rt, push } = service();
    const qc = new QueryClient();
    qc.setQueryData(chatKeys.list, [conv(1)]);
    chatSyncFor(qc, ME, rt);
    const other = vi.fn();
    rt.events.on("message.new", other);

    push({ type: "message.new", conversation_id: 1, message: msg(3) });
    const list = qc.getQueryData<ConversationOut[]>(chatKeys.list)!;
    expect(list[0]).toMatchObject({ last_seq: 3, unread: 1 });
    expect(other).toHaveBeenCalledOnce();

    push({ type: "message.new", conversation_id: 1 }); // malformed: dropped by chat
    push({ type: "notice.new", unit_id: 3 }); // not chat's, not known here: ignored
    expect(qc.getQueryData(chatKeys.list)).toBe(list);
  });

  it("resyncs on hello and reads over the socket", () => {
    const { rt, push, sent } = service();
    const qc = new QueryClient();
    qc.setQueryData(chatKeys.list, [conv(1, { last_seq: 4, unread: 2 })]);
    const sync = chatSyncFor(qc, 1, rt);
    const invalidate = vi.spyOn(qc, "invalidateQueries");
    push({ type: "hello", person_id: ME, connection_id: "c" });
    expect(sync.me).toBe(ME);
    expect(invalidate).toHaveBeenCalledWith({ queryKey: chatKeys.list });
    sync.markRead(1, 4);
    expect(sent).toContainEqual({ type: "read", conversation_id: 1, seq: 4 });
    expect(qc.getQueryData<ConversationOut[]>(chatKeys.list)![0].unread).toBe(0);
  });

  it("has one set of handlers: a new query cache's replace the old", () => {
    const { rt, push } = service();
    const a = new QueryClient();
    const b = new QueryClient();
    a.setQueryData(chatKeys.list, [conv(1)]);
    b.setQueryData(chatKeys.list, [conv(1)]);
    chatSyncFor(a, ME, rt);
    chatSyncFor(a, ME, rt); // the same, once
    chatSyncFor(b, ME, rt);
    push({ type: "message.new", conversation_id: 1, message: msg(3) });
    expect(a.getQueryData<ConversationOut[]>(chatKeys.list)![0].last_seq).toBe(2);
    expect(b.getQueryData<ConversationOut[]>(chatKeys.list)![0].last_seq).toBe(3);
  });
});
