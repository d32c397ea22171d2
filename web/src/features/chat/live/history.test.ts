import { describe, expect, it } from "vitest";
import type { ConversationOut, MessageOut } from "./events";
import {
  applyToHistory,
  applyToList,
  applyToSearch,
  emptyHistory,
  lastSeq,
  matchesSearch,
  mentionMarker,
  keepNewer,
  mergeConversations,
  mergeMessages,
} from "./history";
import { wellFormed, type ChatEvent } from "./events";
import { parseEvent } from "../../../realtime/protocol";

const msg = (seq: number, over: Partial<MessageOut> = {}): MessageOut => ({
  conversation_id: 1,
  seq,
  sender: { id: 2, name: "B" },
  kind: "text",
  body: `m${seq}`,
  mentions: [],
  created_at: new Date(Date.UTC(2026, 10, 24, 8, 0, seq)).toISOString(),
  recalled: false,
  ...over,
});

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
  pinned: false,
  mention_seq: null,
  mention_all_seq: null,
  last_seq: 2,
  last_read_seq: 2,
  unread: 0,
  last_message: null,
  last_message_at: "2026-11-24T08:00:00Z",
  ...over,
});

describe("history", () => {
  it("merges idempotently, sorted by seq", () => {
    let h = mergeMessages(emptyHistory, [msg(2), msg(1)]);
    h = mergeMessages(h, [msg(2), msg(3)]);
    expect(h.items.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(lastSeq(h)).toBe(3);
  });

  it("stays fast with 10,000 loaded messages", () => {
    let h = mergeMessages(emptyHistory, Array.from({ length: 50 }, (_, i) => msg(9951 + i)));
    for (let before = 9951; before > 1; before -= 50) {
      const from = Math.max(1, before - 50);
      h = mergeMessages(h, Array.from({ length: before - from }, (_, i) => msg(from + i)));
    }
    expect(h.items.length).toBe(10000);
    const t0 = performance.now();
    for (let s = 10001; s <= 10200; s++) h = applyToHistory(h, { type: "message.new", conversation_id: 1, message: msg(s) }).history;
    expect(h.items.map((m) => m.seq).slice(-2)).toEqual([10199, 10200]);
    expect(h.items[0].seq).toBe(1);
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it("keeps one's unread count when an event carries none", () => {
    const h = mergeMessages(emptyHistory, [msg(1, { unread_count: 4 })]);
    const next = applyToHistory(h, { type: "message.new", conversation_id: 1, message: msg(1, { unread_count: null }) });
    expect(next.history.items[0].unread_count).toBe(4);
  });

  it("reports a gap when a message skips seqs, none when it follows", () => {
    const h = mergeMessages(emptyHistory, [msg(1), msg(2)]);
    expect(applyToHistory(h, { type: "message.new", conversation_id: 1, message: msg(3) }).gapAfter).toBeNull();
    expect(applyToHistory(h, { type: "message.new", conversation_id: 1, message: msg(5) }).gapAfter).toBe(2);
  });

  it("recalls, opens and deletes; a recall is never undone by an older copy", () => {
    let h = mergeMessages(emptyHistory, [msg(1), msg(2)]);
    h = applyToHistory(h, { type: "message.recalled", conversation_id: 1, seq: 1, recalled_by: 2 }).history;
    expect(h.items[0]).toMatchObject({ recalled: true, body: null });
    h = mergeMessages(h, [msg(1)]);
    expect(h.items[0]).toMatchObject({ recalled: true, body: null });
    h = applyToHistory(h, { type: "message.opened", conversation_id: 1, seq: 2, expires_at: "2026-11-24T09:00:00Z" }).history;
    expect(h.items[1].expires_at).toBe("2026-11-24T09:00:00Z");
    h = applyToHistory(h, { type: "message.deleted", conversation_id: 1, seq: 2 }).history;
    expect(h.items.map((m) => m.seq)).toEqual([1]);
  });
});

describe("conversation list", () => {
  it("moves a conversation with a new message to the top and counts it unread", () => {
    const list = [conv(1, { last_message_at: "2026-11-24T09:00:00Z" }), conv(2)];
    const m = { ...msg(3), conversation_id: 2, created_at: "2026-11-24T10:00:00Z" };
    const r = applyToList(list, { type: "message.new", conversation_id: 2, message: m }, 9);
    expect(r.list.map((c) => c.id)).toEqual([2, 1]);
    expect(r.list[0]).toMatchObject({ unread: 1, last_seq: 3 });
    // The same event again changes nothing.
    expect(applyToList(r.list, { type: "message.new", conversation_id: 2, message: m }, 9).list[0].unread).toBe(1);
  });

  it("one's own message leaves nothing unread; unknown conversations ask for a refetch", () => {
    const list = [conv(1)];
    const own = msg(3, { sender: { id: 9, name: "Me" } });
    expect(applyToList(list, { type: "message.new", conversation_id: 1, message: own }, 9).list[0]).toMatchObject({ unread: 0, last_read_seq: 3 });
    expect(applyToList(list, { type: "message.new", conversation_id: 7, message: msg(1) }, 9).refetch).toBe(true);
  });

  it("applies one's own read cursor, updates and removals", () => {
    const list = [conv(1, { last_seq: 5, last_read_seq: 2, unread: 3 })];
    const r = applyToList(list, { type: "read", conversation_id: 1, person_id: 9, last_read_seq: 5 }, 9);
    expect(r.list[0]).toMatchObject({ unread: 0, last_read_seq: 5 });
    expect(applyToList(list, { type: "read", conversation_id: 1, person_id: 4, last_read_seq: 5 }, 9).list).toBe(list);
    expect(applyToList(list, { type: "conversation.removed", conversation_id: 1 }, 9).list).toEqual([]);
    const renamed = applyToList(list, { type: "conversation.updated", conversation: conv(1, { name: "x" }) }, 9);
    expect(renamed.list[0].name).toBe("x");
  });
});

describe("a refetched list", () => {
  it("keeps what live events brought while it was on its way", () => {
    const m = { ...msg(6), conversation_id: 2, mentions: [9] };
    const cached = applyToList([conv(1, { last_seq: 3 }), conv(2, { last_seq: 5 })], { type: "message.new", conversation_id: 2, message: m }, 9).list;
    // The server read its answer before message 6: its copy of 2 is older than the cache's.
    const fetched = [conv(1, { last_seq: 4, name: "renamed" }), conv(2, { last_seq: 5 })];
    const out = keepNewer(fetched, cached);
    expect(out.find((c) => c.id === 2)).toMatchObject({ last_seq: 6, mention_seq: 6 });
    expect(out.find((c) => c.id === 1)).toMatchObject({ last_seq: 4, name: "renamed" });
    expect(keepNewer(fetched, undefined)).toBe(fetched);
  });
});

describe("pins and mention markers", () => {
  it("puts pinned conversations first, each part by activity", () => {
    const list = [
      conv(1, { last_message_at: "2026-11-24T10:00:00Z" }),
      conv(2, { last_message_at: "2026-11-24T07:00:00Z", pinned: true }),
      conv(3, { last_message_at: "2026-11-24T09:00:00Z", pinned: true }),
      conv(4, { last_message_at: "2026-11-24T11:00:00Z" }),
    ];
    expect(mergeConversations([], list).map((c) => c.id)).toEqual([3, 2, 4, 1]);
    // News in a pinned one lifts it among the pinned; unpinning (another tab) puts it back.
    const m = { ...msg(3), conversation_id: 2, created_at: "2026-11-24T12:00:00Z" };
    const r = applyToList(mergeConversations([], list), { type: "message.new", conversation_id: 2, message: m }, 9);
    expect(r.list.map((c) => c.id)).toEqual([2, 3, 4, 1]);
    const unpinned = applyToList(r.list, { type: "conversation.updated", conversation: { ...r.list[0], pinned: false } }, 9);
    expect(unpinned.list.map((c) => c.id)).toEqual([3, 2, 4, 1]);
  });

  it("marks a mention of me or of everyone until I read past it; mine wins", () => {
    const list = [conv(1, { last_seq: 2, last_read_seq: 2 })];
    const at = (seq: number, mentions: MessageOut["mentions"], sender = 2) =>
      ({ type: "message.new", conversation_id: 1, message: msg(seq, { mentions, sender: { id: sender, name: "B" } }) }) as const;
    let l = applyToList(list, at(3, ["all"]), 9).list;
    expect(l[0]).toMatchObject({ mention_seq: null, mention_all_seq: 3 });
    expect(mentionMarker(l[0])).toBe("all");
    l = applyToList(l, at(4, [9, 5]), 9).list;
    expect(l[0]).toMatchObject({ mention_seq: 4, mention_all_seq: 3 });
    expect(mentionMarker(l[0])).toBe("me");
    l = applyToList(l, at(5, [5]), 9).list; // someone else named: nothing for me
    expect(l[0]).toMatchObject({ mention_seq: 4, mention_all_seq: 3 });
    // Reading up to the @all (another device) leaves my mention; reading past it clears both.
    l = applyToList(l, { type: "read", conversation_id: 1, person_id: 9, last_read_seq: 3 }, 9).list;
    expect(l[0]).toMatchObject({ mention_seq: 4, mention_all_seq: null });
    expect(applyToList(l, { type: "read", conversation_id: 1, person_id: 9, last_read_seq: 5 }, 9).list[0]).toMatchObject({
      mention_seq: null,
      mention_all_seq: null,
    });
    expect(mentionMarker(conv(1))).toBeNull();
    // My own message with @all, or any message of mine: no marker for me, and what was there goes.
    expect(applyToList(l, at(6, ["all"], 9), 9).list[0]).toMatchObject({ mention_seq: null, mention_all_seq: null });
  });
});

describe("conversation list pages", () => {
  it("adds a page once per conversation, keeps the fresher copy, sorted by activity then id", () => {
    const list = [conv(5, { last_message_at: "2026-11-24T10:00:00Z", last_seq: 9 }), conv(4, { last_message_at: "2026-11-24T09:00:00Z" })];
    const page = [conv(5, { last_message_at: "2026-11-24T08:30:00Z", last_seq: 7 }), conv(3), conv(2), conv(1, { last_message_at: "2026-11-24T09:00:00Z" })];
    const merged = mergeConversations(list, page);
    expect(merged.map((c) => c.id)).toEqual([5, 4, 1, 3, 2]);
    expect(merged[0].last_seq).toBe(9); // a live event's copy is newer than the page's
    expect(mergeConversations(merged, page)).toEqual(merged);
  });
});

describe("search results", () => {
  const page = (...seqs: number[]) => ({ items: seqs.map((s) => msg(s, { body: `期中考试 ${s}` })), has_more: false });

  it("matches the shown text in any case, never system, recalled or hidden messages", () => {
    expect(matchesSearch(msg(1, { body: "Exam on MONDAY" }), "monday")).toBe(true);
    expect(matchesSearch(msg(1, { body: "x", kind: "system" }), "x")).toBe(false);
    expect(matchesSearch(msg(1, { body: null }), "m")).toBe(false);
    expect(matchesSearch(msg(1, { body: "x", recalled: true }), "x")).toBe(false);
  });

  it("matches a file's name too (a recipient's unopened private file has none)", () => {
    const file = { id: 9, name: "三年级成绩单.xlsx", content_type: "application/octet-stream", size: 10, has_thumbnail: false };
    expect(matchesSearch(msg(1, { kind: "file", body: null, file }), "成绩")).toBe(true);
    expect(matchesSearch(msg(1, { kind: "image", body: null, file: { ...file, name: "Sports-Day.png" } }), "sports")).toBe(true);
    expect(matchesSearch(msg(1, { kind: "file", body: null, file: null }), "成绩")).toBe(false);
    expect(matchesSearch(msg(1, { kind: "file", body: null, file, recalled: true }), "成绩")).toBe(false);
  });

  it("a new matching message appears, in seq order; others change nothing", () => {
    const p = page(2, 5);
    const hit = applyToSearch(p, "考试", { type: "message.new", conversation_id: 1, message: msg(7, { body: "补考试卷" }) }, 50);
    expect(hit.page.items.map((m) => m.seq)).toEqual([2, 5, 7]);
    expect(hit.refetch).toBe(false);
    const miss = applyToSearch(p, "考试", { type: "message.new", conversation_id: 1, message: msg(8, { body: "hello" }) }, 50);
    expect(miss.page).toBe(p);
    // Again: no duplicate.
    expect(applyToSearch(hit.page, "考试", { type: "message.new", conversation_id: 1, message: msg(7, { body: "补考试卷" }) }, 50).page.items).toHaveLength(3);
  });

  it("keeps the newest `limit` matches and then says there are more", () => {
    const r = applyToSearch(page(1, 2), "考试", { type: "message.new", conversation_id: 1, message: msg(3, { body: "考试" }) }, 2);
    expect(r.page.items.map((m) => m.seq)).toEqual([2, 3]);
    expect(r.page.has_more).toBe(true);
  });

  it("a recalled or burned match goes; a page with more asks to be filled up", () => {
    const p = page(2, 5);
    const recalled = applyToSearch(p, "考试", { type: "message.recalled", conversation_id: 1, seq: 5, recalled_by: 2 }, 50);
    expect(recalled.page.items.map((m) => m.seq)).toEqual([2]);
    expect(recalled.refetch).toBe(false);
    const burned = applyToSearch({ ...p, has_more: true }, "考试", { type: "message.deleted", conversation_id: 1, seq: 2 }, 50);
    expect(burned.page.items.map((m) => m.seq)).toEqual([5]);
    expect(burned.refetch).toBe(true);
    expect(applyToSearch(p, "考试", { type: "message.deleted", conversation_id: 1, seq: 9 }, 50).page).toBe(p);
  });
});

describe("chat's events from the socket", () => {
  it("are used only with what chat reads in them", () => {
    const ev = (v: object) => parseEvent(JSON.stringify(v)) as ChatEvent;
    expect(wellFormed(ev({ type: "message.new", conversation_id: 1, message: msg(3) }))).toBe(true);
    expect(wellFormed(ev({ type: "message.new", conversation_id: 1 }))).toBe(false);
    expect(wellFormed(ev({ type: "message.recalled", seq: 2, recalled_by: 1 }))).toBe(false);
    expect(wellFormed(ev({ type: "conversation.updated", conversation: conv(4) }))).toBe(true);
    expect(wellFormed(ev({ type: "conversation.updated" }))).toBe(false);
  });
});
