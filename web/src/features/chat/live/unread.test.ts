import { describe, expect, it } from "vitest";
import type { ConversationOut, MessageOut, ServerEvent } from "./events";
import { applyToList } from "./history";
import { countedByList, placeOf, restChangedBy, unreadShown } from "./unread";

const ME = 9;
const at = (minute: number) => new Date(Date.UTC(2026, 10, 24, 8, minute)).toISOString();

const conv = (id: number, minute: number, over: Partial<ConversationOut> = {}): ConversationOut => ({
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
  pinned: false,
  mention_seq: null,
  mention_all_seq: null,
  last_seq: 4,
  last_read_seq: 4,
  unread: 0,
  last_message: null,
  last_message_at: at(minute),
  ...over,
});

const msg = (conversation_id: number, seq: number, minute: number, sender = 2): MessageOut => ({
  conversation_id,
  seq,
  sender: { id: sender, name: "B" },
  kind: "text",
  body: `m${seq}`,
  mentions: [],
  created_at: at(minute),
  recalled: false,
});

/** The first page of a longer list (most recent first); the server says 3 more are unread further down. */
const page = [
  conv(5, 50, { unread: 2, last_seq: 6 }),
  conv(4, 40, { unread: 4, last_seq: 8, muted: true }),
  conv(3, 30),
];
const edge = placeOf(page[page.length - 1]);
const REST = 3;

/** What the tab title shows after these events, and whether the rest had to be fetched again. */
function after(events: ServerEvent[], list = page): { shown: number; refetch: boolean } {
  let refetch = false;
  for (const ev of events) {
    refetch ||= restChangedBy(ev, ME, list, edge);
    list = applyToList(list, ev, ME).list;
  }
  return { shown: unreadShown(list, edge, REST), refetch };
}

describe("unread total", () => {
  it("adds the server's rest to the loaded conversations' counts, muted ones apart", () => {
    expect(unreadShown(page, edge, REST)).toBe(2 + REST);
    // Loaded to the end: the list is everything, there is no rest.
    expect(unreadShown(page, null, REST)).toBe(2);
    expect(unreadShown([], edge, REST)).toBe(REST);
  });

  it("does not count twice a conversation below the cursor that the list holds anyway", () => {
    const old = conv(1, 10, { unread: 1, last_seq: 5 });
    expect(countedByList(old, edge)).toBe(false);
    expect(countedByList(page[2], edge)).toBe(true);
    // A rename of an old group brings it into the list; the rest already counts its 1.
    const renamed: ServerEvent = { type: "conversation.updated", conversation: { ...old, name: "新名" } };
    expect(after([renamed])).toEqual({ shown: 2 + REST, refetch: true });
  });

  it("follows messages and reading in loaded conversations without asking the server", () => {
    const m = msg(5, 7, 51);
    expect(after([{ type: "message.new", conversation_id: 5, message: m }])).toEqual({ shown: 3 + REST, refetch: false });
    // The same event twice (a resync, a duplicate) is counted once.
    const twice = after([
      { type: "message.new", conversation_id: 5, message: m },
      { type: "message.new", conversation_id: 5, message: m },
    ]);
    expect(twice.shown).toBe(3 + REST);
    // A muted conversation's message does not count.
    expect(after([{ type: "message.new", conversation_id: 4, message: msg(4, 9, 52) }]).shown).toBe(2 + REST);
    // One's own message reads the conversation; so does reading it on another device.
    expect(after([{ type: "message.new", conversation_id: 5, message: msg(5, 7, 51, ME) }]).shown).toBe(REST);
    expect(after([{ type: "read", conversation_id: 5, person_id: ME, last_read_seq: 5 }])).toEqual({ shown: 1 + REST, refetch: false });
    // Someone else reading, a recall, a burn and other people joining change no count of mine.
    const none: ServerEvent[] = [
      { type: "read", conversation_id: 5, person_id: 2, last_read_seq: 6 },
      { type: "message.recalled", conversation_id: 5, seq: 6, recalled_by: 2 },
      { type: "message.deleted", conversation_id: 3, seq: 1 },
      { type: "members.changed", conversation_id: 3, added: [7], removed: [], member_count: 4 },
    ];
    expect(after(none)).toEqual({ shown: 2 + REST, refetch: false });
  });

  it("asks for the rest again when an event touches a conversation the list does not count", () => {
    // A message in a conversation further down: it comes to the top; the rest no longer has it.
    expect(after([{ type: "message.new", conversation_id: 1, message: msg(1, 6, 55) }]).refetch).toBe(true);
    // Reading one further down on another device, or leaving it.
    expect(after([{ type: "read", conversation_id: 1, person_id: ME, last_read_seq: 6 }]).refetch).toBe(true);
    expect(after([{ type: "conversation.removed", conversation_id: 1 }]).refetch).toBe(true);
    // Leaving a loaded one just drops its count.
    expect(after([{ type: "conversation.removed", conversation_id: 5 }])).toEqual({ shown: REST, refetch: false });
    // With the whole list loaded there is no rest to ask for.
    expect(restChangedBy({ type: "conversation.removed", conversation_id: 1 }, ME, page, null)).toBe(false);
  });

  it("asks again when a pin or unpin moves a conversation across the cursor", () => {
    // Pinning one from further down lifts it above the cursor: the list counts it now.
    const old = conv(1, 10, { unread: 1, last_seq: 5 });
    const pinned: ServerEvent = { type: "conversation.updated", conversation: { ...old, pinned: true } };
    expect(after([pinned])).toEqual({ shown: 3 + REST, refetch: true });
    // Unpinning a loaded one whose activity is older than the cursor drops it below.
    const top = [conv(6, 5, { unread: 2, last_seq: 6, pinned: true }), ...page];
    const unpin: ServerEvent = { type: "conversation.updated", conversation: { ...top[0], pinned: false } };
    expect(after([unpin], top).refetch).toBe(true);
    // A pinned edge: every conversation not pinned is after it.
    const pinnedEdge = placeOf(top[0]);
    expect(countedByList(page[0], pinnedEdge)).toBe(false);
    expect(countedByList(top[0], pinnedEdge)).toBe(true);
  });
});
