/**
 * Pure state changes of the chat caches: one conversation's loaded history and the conversation
 * list. The socket dispatcher and the REST answers both go through these, so applying events to an
 * earlier fetch gives what a fresh fetch returns (docs/realtime.md). Messages are keyed by seq.
 */
import type { ConversationEvent, ConversationOut, MessageOut, ServerEvent } from "./events";

export interface History {
  /** Loaded messages, ascending by seq, no duplicates. */
  items: MessageOut[];
  /** Older messages exist on the server (load with before_seq). */
  hasOlder: boolean;
}

export const emptyHistory: History = { items: [], hasOlder: false };

export function lastSeq(h: History | undefined): number {
  return h && h.items.length ? h.items[h.items.length - 1].seq : 0;
}

export function firstSeq(h: History | undefined): number {
  return h && h.items.length ? h.items[0].seq : 0;
}

function isSorted(msgs: MessageOut[]): boolean {
  for (let i = 1; i < msgs.length; i++) if (msgs[i].seq <= msgs[i - 1].seq) return false;
  return true;
}

function mergeOne(old: MessageOut, fresh: MessageOut): MessageOut {
  // An event carries no per-viewer unread_count: keep the one we have.
  const unread = fresh.unread_count ?? old.unread_count ?? null;
  // A recall or burn is final: never resurrect the text from an older copy.
  if (old.recalled && !fresh.recalled) return { ...old, unread_count: unread };
  return { ...fresh, unread_count: unread, expires_at: fresh.expires_at ?? old.expires_at ?? null };
}

/** Adds or updates messages (idempotent: duplicates by seq are merged). */
export function mergeMessages(h: History, msgs: MessageOut[]): History {
  if (!msgs.length) return h;
  // Fast paths (10,000 loaded messages must stay cheap): a sorted run after the last one
  // (live messages, catch-up pages) or before the first one (older pages).
  if (isSorted(msgs)) {
    const n = h.items.length;
    if (!n || msgs[0].seq > h.items[n - 1].seq) return { ...h, items: h.items.concat(msgs) };
    if (msgs[msgs.length - 1].seq < h.items[0].seq) return { ...h, items: msgs.concat(h.items) };
  }
  const bySeq = new Map<number, MessageOut>();
  for (const m of h.items) bySeq.set(m.seq, m);
  let changed = false;
  for (const m of msgs) {
    const old = bySeq.get(m.seq);
    bySeq.set(m.seq, old ? mergeOne(old, m) : m);
    changed = true;
  }
  if (!changed) return h;
  const items = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  return { ...h, items };
}

function patch(h: History, seq: number, fn: (m: MessageOut) => MessageOut | null): History {
  const i = h.items.findIndex((m) => m.seq === seq);
  if (i < 0) return h;
  const next = fn(h.items[i]);
  const items = h.items.slice();
  if (next) items[i] = next;
  else items.splice(i, 1);
  return { ...h, items };
}

export interface Applied {
  history: History;
  /** The event skipped seqs after the last loaded one: fetch `after_seq=gapAfter`. */
  gapAfter: number | null;
}

/** Applies one conversation event to a loaded history. */
export function applyToHistory(h: History, ev: ConversationEvent): Applied {
  switch (ev.type) {
    case "message.new": {
      const last = lastSeq(h);
      const gapAfter = last > 0 && ev.message.seq > last + 1 ? last : null;
      return { history: mergeMessages(h, [ev.message]), gapAfter };
    }
    case "message.recalled":
      return {
        history: patch(h, ev.seq, (m) => ({ ...m, recalled: true, body: null, file: null, card: null, mentions: [] })),
        gapAfter: null,
      };
    case "message.opened":
      return {
        history: patch(h, ev.seq, (m) => ({ ...m, expires_at: ev.expires_at, opened_at: m.opened_at ?? new Date().toISOString() })),
        gapAfter: null,
      };
    case "message.deleted":
      return { history: patch(h, ev.seq, () => null), gapAfter: null };
    default:
      return { history: h, gapAfter: null };
  }
}

/** A conversation's place in the list: what the list's order looks at. */
export type Placed = Pick<ConversationOut, "id" | "last_message_at" | "pinned">;

/**
 * The list's order, as the server pages it: pinned ones (置顶) first, then most recent activity,
 * then by id. Pinned ones among themselves go by activity too.
 */
export function byActivity(a: Placed, b: Placed): number {
  return Number(!!b.pinned) - Number(!!a.pinned) || b.last_message_at.localeCompare(a.last_message_at) || b.id - a.id;
}

/** The "[有人@我]" / "[@所有人]" marker a conversation shows, or null: a mention of oneself wins. */
export function mentionMarker(c: Pick<ConversationOut, "mention_seq" | "mention_all_seq">): "me" | "all" | null {
  return c.mention_seq != null ? "me" : c.mention_all_seq != null ? "all" : null;
}

/** The conversation with the markers of what one has read (up to `last_read_seq`) taken away. */
export function clearReadMentions(c: ConversationOut): ConversationOut {
  const me = c.mention_seq != null && c.mention_seq <= c.last_read_seq ? null : c.mention_seq;
  const all = c.mention_all_seq != null && c.mention_all_seq <= c.last_read_seq ? null : c.mention_all_seq;
  return me === c.mention_seq && all === c.mention_all_seq ? c : { ...c, mention_seq: me, mention_all_seq: all };
}

/** A new message's markers for person `me`: it names them, or everyone (not their own). */
function withMentions(c: ConversationOut, m: MessageOut, me: number): ConversationOut {
  if (m.sender?.id === me || !m.mentions?.length) return c;
  let next = c;
  if (m.mentions.includes(me)) next = { ...next, mention_seq: Math.max(next.mention_seq ?? 0, m.seq) };
  if (m.mentions.includes("all")) next = { ...next, mention_all_seq: Math.max(next.mention_all_seq ?? 0, m.seq) };
  return next;
}

export function sortConversations(list: ConversationOut[]): ConversationOut[] {
  return list.slice().sort(byActivity);
}

/** Of two copies of a conversation, the one that has seen more messages (a live event may be
 * newer than a fetched page); the fetched one when they have seen as many. */
function newer(had: ConversationOut | undefined, fetched: ConversationOut): ConversationOut {
  return had && had.last_seq > fetched.last_seq ? had : fetched;
}

/**
 * Adds a page of conversations (or one fetched alone) to the loaded list: one entry per id, the
 * copy that has seen more messages winning (a live event may be newer than a page), sorted.
 */
export function mergeConversations(list: ConversationOut[], page: ConversationOut[]): ConversationOut[] {
  const byId = new Map(list.map((c) => [c.id, c]));
  for (const c of page) byId.set(c.id, newer(byId.get(c.id), c));
  return sortConversations([...byId.values()]);
}

/**
 * A refetched list, keeping the copy of a conversation that live events took further while the
 * fetch was on its way (a message that arrived meanwhile, with its "[有人@我]"): the server read
 * its answer before that message, and must not undo it.
 */
export function keepNewer(fetched: ConversationOut[], cached: ConversationOut[] | undefined): ConversationOut[] {
  if (!cached?.length) return fetched;
  const byId = new Map(cached.map((c) => [c.id, c]));
  return sortConversations(fetched.map((c) => newer(byId.get(c.id), c)));
}

export interface ListApplied {
  list: ConversationOut[];
  /** The list cannot be brought up to date from the event alone: refetch it. */
  refetch: boolean;
}

/** Applies an event to the conversation list of person `me`. */
export function applyToList(list: ConversationOut[], ev: ServerEvent, me: number): ListApplied {
  const idx = (id: number) => list.findIndex((c) => c.id === id);
  const replace = (i: number, c: ConversationOut, resort = false): ListApplied => {
    const next = list.slice();
    next[i] = c;
    return { list: resort ? sortConversations(next) : next, refetch: false };
  };
  switch (ev.type) {
    case "message.new": {
      const i = idx(ev.conversation_id);
      if (i < 0) return { list, refetch: true };
      const c = list[i];
      const m = ev.message;
      if (m.seq <= c.last_seq && c.last_message && c.last_message.seq >= m.seq) return { list, refetch: false };
      const mine = m.sender?.id === me;
      const last_seq = Math.max(c.last_seq, m.seq);
      const last_read_seq = mine ? Math.max(c.last_read_seq, m.seq) : c.last_read_seq;
      const unread = mine ? 0 : c.unread + Math.max(1, m.seq - c.last_seq);
      const next = withMentions({ ...c, last_seq, last_read_seq, unread, last_message: m, last_message_at: m.created_at }, m, me);
      return replace(i, clearReadMentions(next), true);
    }
    case "message.recalled": {
      const i = idx(ev.conversation_id);
      const c = list[i];
      if (!c || c.last_message?.seq !== ev.seq) return { list, refetch: false };
      return replace(i, { ...c, last_message: { ...c.last_message, recalled: true, body: null, file: null } });
    }
    case "message.deleted": {
      const i = idx(ev.conversation_id);
      const c = list[i];
      if (!c || c.last_message?.seq !== ev.seq) return { list, refetch: false };
      return { list, refetch: true };
    }
    case "read": {
      if (ev.person_id !== me) return { list, refetch: false };
      const i = idx(ev.conversation_id);
      const c = list[i];
      if (!c || ev.last_read_seq <= c.last_read_seq) return { list, refetch: false };
      const unread = Math.max(0, Math.min(c.unread, c.last_seq - ev.last_read_seq));
      return replace(i, clearReadMentions({ ...c, last_read_seq: ev.last_read_seq, unread }));
    }
    case "conversation.updated": {
      const i = idx(ev.conversation.id);
      if (i < 0) return { list: sortConversations([...list, ev.conversation]), refetch: false };
      return replace(i, ev.conversation, true);
    }
    case "conversation.removed":
      return { list: list.filter((c) => c.id !== ev.conversation_id), refetch: false };
    case "members.changed": {
      const i = idx(ev.conversation_id);
      if (i < 0) return { list, refetch: false };
      return replace(i, { ...list[i], member_count: ev.member_count });
    }
    default:
      return { list, refetch: false };
  }
}

/** A conversation's search results: the newest matches, ascending by seq (as the server sends). */
export interface SearchPage {
  items: MessageOut[];
  has_more: boolean;
}

/**
 * Whether a message is a hit for `q`, as the server matches: its shown text or the name of its
 * file contains `q`, any case.
 */
export function matchesSearch(m: MessageOut, q: string): boolean {
  const needle = q.toLowerCase();
  if (!needle || m.kind === "system" || m.recalled) return false;
  return !!m.body?.toLowerCase().includes(needle) || !!m.file?.name.toLowerCase().includes(needle);
}

export interface SearchApplied {
  page: SearchPage;
  /** Something left a page that had more results: fetch it again to fill it up. */
  refetch: boolean;
}

/**
 * Applies a live event (or a message the server answered with, as a message.new) to the results
 * of searching `q`: a new or newly readable match appears, a recalled or burned one goes.
 * `limit` is the page size asked for (the server's newest `limit` matches).
 */
export function applyToSearch(page: SearchPage, q: string, ev: ConversationEvent, limit: number): SearchApplied {
  const at = (seq: number) => page.items.findIndex((m) => m.seq === seq);
  const without = (i: number): SearchApplied => ({
    page: { ...page, items: page.items.filter((_, j) => j !== i) },
    refetch: page.has_more,
  });
  switch (ev.type) {
    case "message.new": {
      const m = ev.message;
      const i = at(m.seq);
      const hit = matchesSearch(m, q);
      if (i >= 0) {
        if (!hit) return without(i);
        const items = page.items.slice();
        items[i] = { ...m, unread_count: m.unread_count ?? items[i].unread_count ?? null };
        return { page: { ...page, items }, refetch: false };
      }
      if (!hit) return { page, refetch: false };
      let items = [...page.items, m].sort((a, b) => a.seq - b.seq);
      let more = page.has_more;
      if (items.length > limit) {
        items = items.slice(items.length - limit);
        more = true;
      }
      return { page: { items, has_more: more }, refetch: false };
    }
    case "message.recalled":
    case "message.deleted": {
      const i = at(ev.seq);
      return i < 0 ? { page, refetch: false } : without(i);
    }
    default:
      return { page, refetch: false };
  }
}
