/**
 * Chat on the socket: its handlers, registered on the tab's real-time service, write chat's
 * events into the React Query cache (the same entries the REST answers fill), resync on `hello`,
 * fill gaps, hold back events for a history that is still loading and apply them after it, and
 * keep "N unread" under one's own messages moving. Chat subscribes to no topic: the server keeps
 * a socket subscribed to `person:<me>` and to every conversation one is in (`conv:<id>`).
 */
import type { QueryClient } from "@tanstack/react-query";
import { api, call } from "../../../api/http";
import type { Realtime } from "../../../realtime/service";
import { CHAT_EVENTS, wellFormed, type ChatEvent, type ConversationEvent, type ConversationOut, type MessageOut } from "./events";
import {
  applyToHistory,
  applyToList,
  applyToSearch,
  clearReadMentions,
  emptyHistory,
  firstSeq,
  lastSeq,
  keepNewer,
  mergeConversations,
  mergeMessages,
  type History,
  type SearchPage,
} from "./history";
import { placeOf, restChangedBy, type ListPlace } from "./unread";

export const chatKeys = {
  list: ["chat", "list"] as const,
  history: (id: number) => ["chat", "history", id] as const,
  conversation: (id: number) => ["chat", "conversation", id] as const,
  members: (id: number) => ["chat", "members", id] as const,
  receipt: (id: number, seq: number) => ["chat", "receipt", id, seq] as const,
  /** Where the loaded part of the list ends: the cursor of the next page (null: all loaded). */
  listCursor: ["chat", "list-cursor"] as const,
  search: (id: number, q: string) => ["chat", "search", id, q] as const,
  searches: (id: number) => ["chat", "search", id] as const,
  /** The server's unread total of the conversations after the list's cursor (see unread.ts). */
  unread: ["chat", "unread"] as const,
  unreadAfter: (generation: number, cursor: string | null) => ["chat", "unread", generation, cursor] as const,
};

const PAGE = 50;
/** Conversations per page of the list. */
export const LIST_PAGE = 50;
/** Search results asked for (the newest matches). */
export const SEARCH_LIMIT = 50;

export interface ListCursor {
  cursor: string | null;
  /** Which fetch of the list the cursor continues (a refetch starts a new one). */
  generation: number;
  /** The place the cursor marks: the last conversation of the last loaded page. */
  edge: ListPlace | null;
}

/** Where the loaded list stops counting (see unread.ts): null when it is loaded to its end. */
export function listEdge(at: ListCursor | null | undefined): ListPlace | null {
  return at?.cursor ? at.edge : null;
}

let listGeneration = 0;

function fetchConversationPage(cursor: string | null, limit: number) {
  return call(api.GET("/api/v1/conversations", { params: { query: cursor ? { limit, cursor } : { limit } } }));
}

/** The server's unread total over the conversations after `cursor` (those not loaded). */
export function fetchUnreadAfter(cursor: string) {
  return call(api.GET("/api/v1/conversations/unread", { params: { query: { cursor } } }));
}

/**
 * queryFn of the list: its first page or, when refetched (reconnect, an event the list cannot
 * apply), as many conversations as were loaded, so the list does not shrink under the reader.
 */
export async function fetchConversations(qc: QueryClient): Promise<ConversationOut[]> {
  const generation = ++listGeneration;
  const want = Math.max(LIST_PAGE, qc.getQueryData<ConversationOut[]>(chatKeys.list)?.length ?? 0);
  let items: ConversationOut[] = [];
  let cursor: string | null = null;
  let edge: ListPlace | null = null;
  do {
    const page = await fetchConversationPage(cursor, Math.min(200, want - items.length));
    items = mergeConversations(items, page.items);
    cursor = page.next_cursor ?? null;
    edge = placeOf(page.items[page.items.length - 1]) ?? edge;
  } while (cursor && items.length < want);
  qc.setQueryData<ListCursor>(chatKeys.listCursor, { cursor, generation, edge });
  return keepNewer(items, qc.getQueryData<ConversationOut[]>(chatKeys.list));
}

let loadingMore: Promise<void> | null = null;

/**
 * Loads the next page of the list (as the reader scrolls down). Conversations that became active
 * meanwhile are already on top (from their events); the page adds the older ones. A page whose
 * fetch of the list was replaced meanwhile by a refetch is dropped: scrolling asks again.
 */
export function loadMoreConversations(qc: QueryClient): Promise<void> {
  if (loadingMore) return loadingMore;
  const at = qc.getQueryData<ListCursor>(chatKeys.listCursor);
  if (!at?.cursor || qc.isFetching({ queryKey: chatKeys.list })) return Promise.resolve();
  const run = (async () => {
    try {
      const page = await fetchConversationPage(at.cursor, LIST_PAGE);
      if (at.generation !== listGeneration || qc.isFetching({ queryKey: chatKeys.list })) return;
      qc.setQueryData<ConversationOut[]>(chatKeys.list, (l) => mergeConversations(l ?? [], page.items));
      qc.setQueryData<ListCursor>(chatKeys.listCursor, {
        cursor: page.next_cursor ?? null,
        generation: at.generation,
        edge: placeOf(page.items[page.items.length - 1]) ?? at.edge,
      });
    } finally {
      loadingMore = null;
    }
  })();
  loadingMore = run;
  return run;
}

function fetchPage(id: number, query: { before_seq?: number; after_seq?: number; limit?: number }) {
  return call(
    api.GET("/api/v1/conversations/{conversation_id}/messages", {
      params: { path: { conversation_id: id }, query: { limit: PAGE, ...query } },
    }),
  );
}

type Notify = (conv: ConversationOut | undefined, msg: MessageOut) => void;

export class ChatSync {
  readonly qc: QueryClient;
  readonly rt: Realtime;
  me: number;
  /** Conversations whose first history load is under way: their events wait here. */
  private held = new Map<number, ConversationEvent[]>();
  private catching = new Map<number, Promise<void>>();
  private receiptTimers = new Map<number, ReturnType<typeof setTimeout>>();
  notify: Notify | null = null;
  /** The conversation open on screen (its new messages are read at once, no unread flash). */
  active: number | null = null;
  private off: (() => void) | null = null;

  constructor(qc: QueryClient, me: number, rt: Realtime) {
    this.qc = qc;
    this.me = me;
    this.rt = rt;
  }

  /** Registers chat's handlers on the service's dispatcher (`detach` removes them). */
  attach() {
    if (this.off) return;
    const events = this.rt.events;
    const onChat = (ev: ChatEvent) => {
      if (wellFormed(ev)) this.handle(ev);
    };
    const offs = [
      events.on("hello", (ev) => {
        this.me = ev.person_id;
        void this.resync();
      }),
      ...CHAT_EVENTS.map((type) => events.on(type, onChat)),
    ];
    this.off = () => offs.forEach((off) => off());
  }

  detach() {
    this.off?.();
    this.off = null;
  }

  history(id: number): History | undefined {
    return this.qc.getQueryData<History>(chatKeys.history(id));
  }
  private setHistory(id: number, fn: (h: History) => History) {
    this.qc.setQueryData<History>(chatKeys.history(id), (h) => (h ? fn(h) : h));
  }
  private setList(fn: (l: ConversationOut[]) => ConversationOut[]) {
    this.qc.setQueryData<ConversationOut[]>(chatKeys.list, (l) => (l ? fn(l) : l));
  }

  // ------------------------------------------------------------------ loading

  /** queryFn of a history: the newest page, then the events that arrived meanwhile. */
  async loadHistory(id: number): Promise<History> {
    const existing = this.history(id);
    if (existing && existing.items.length) {
      // A refetch of a loaded history: catch up instead of replacing what is loaded.
      await this.catchUp(id);
      return this.history(id) ?? existing;
    }
    this.held.set(id, []);
    try {
      const page = await fetchPage(id, {});
      let h: History = mergeMessages({ ...emptyHistory, hasOlder: page.has_more }, page.items);
      let gap: number | null = null;
      for (const ev of this.held.get(id) ?? []) {
        const r = applyToHistory(h, ev);
        h = r.history;
        if (r.gapAfter != null) gap = gap ?? r.gapAfter;
      }
      if (gap != null) {
        let after = gap;
        for (;;) {
          const more = await fetchPage(id, { after_seq: after, limit: 200 });
          h = mergeMessages(h, more.items);
          if (!more.has_more || !more.items.length) break;
          after = more.items[more.items.length - 1].seq;
        }
      }
      return h;
    } finally {
      this.held.delete(id);
    }
  }

  /**
   * Fetches `after_seq=N` until `has_more` is false (one run at a time per conversation). N is the
   * last loaded seq, or `from` for a gap (the message after the gap is already loaded).
   */
  catchUp(id: number, from?: number): Promise<void> {
    const running = this.catching.get(id);
    if (running) return running.then(() => this.catchUp(id, from));
    const run = (async () => {
      try {
        let after = from ?? lastSeq(this.history(id));
        for (;;) {
          const page = await fetchPage(id, { after_seq: after, limit: 200 });
          if (page.items.length) this.setHistory(id, (h) => mergeMessages(h, page.items));
          if (!page.has_more || !page.items.length) break;
          after = page.items[page.items.length - 1].seq;
        }
      } finally {
        this.catching.delete(id);
      }
    })();
    this.catching.set(id, run);
    return run;
  }

  /** Loads the page before the oldest loaded message. */
  async loadOlder(id: number): Promise<void> {
    const h = this.history(id);
    if (!h || !h.hasOlder) return;
    const page = await fetchPage(id, { before_seq: firstSeq(h) });
    this.setHistory(id, (cur) => ({ ...mergeMessages(cur, page.items), hasOlder: page.has_more }));
  }

  /**
   * Loads older pages until `seq` (and a few messages before it, for context) is loaded, so that
   * a search result can be shown in place. The loaded history stays one unbroken run of seqs.
   */
  async loadThrough(id: number, seq: number): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const h = this.history(id);
      if (!h || !h.hasOlder || firstSeq(h) <= Math.max(1, seq - 5)) return;
      const page = await fetchPage(id, { before_seq: firstSeq(h), limit: 200 });
      this.setHistory(id, (cur) => ({ ...mergeMessages(cur, page.items), hasOlder: page.has_more }));
    }
  }

  /** Puts a message the server answered with (send, open) into the cache. */
  putMessage(m: MessageOut) {
    const id = m.conversation_id;
    this.applySearch({ type: "message.new", conversation_id: id, message: m });
    const before = lastSeq(this.history(id));
    this.setHistory(id, (h) => mergeMessages(h, [m]));
    if (before > 0 && m.seq > before + 1) void this.catchUp(id, before);
    const { list } = applyToList(this.qc.getQueryData<ConversationOut[]>(chatKeys.list) ?? [], { type: "message.new", conversation_id: id, message: m }, this.me);
    if (this.qc.getQueryData(chatKeys.list)) this.qc.setQueryData(chatKeys.list, list);
  }

  // ------------------------------------------------------------------ events

  /** Applies one chat event (from the socket, or one the page raises itself, e.g. a recall). */
  handle(ev: ChatEvent) {
    const list = this.qc.getQueryData<ConversationOut[]>(chatKeys.list);
    // The unread total adds the loaded conversations' counts, which this event keeps exact, to
    // the server's total of the rest; an event that changes the rest asks for it again.
    if (restChangedBy(ev, this.me, list, listEdge(this.qc.getQueryData<ListCursor>(chatKeys.listCursor)))) {
      void this.qc.invalidateQueries({ queryKey: chatKeys.unread });
    }
    if (list) {
      let r = applyToList(list, ev, this.me);
      if (ev.type === "message.new" && ev.conversation_id === this.active && document.visibilityState === "visible") {
        r = { ...r, list: r.list.map((c) => (c.id === this.active ? { ...c, unread: 0, mention_seq: null, mention_all_seq: null } : c)) };
      }
      if (r.list !== list) this.qc.setQueryData(chatKeys.list, r.list);
      if (r.refetch && ev.type === "message.new") void this.refreshConversation(ev.conversation_id);
      else if (r.refetch) void this.qc.invalidateQueries({ queryKey: chatKeys.list });
    }

    if (ev.type === "conversation.updated") {
      this.qc.setQueryData(chatKeys.conversation(ev.conversation.id), ev.conversation);
      void this.qc.invalidateQueries({ queryKey: chatKeys.members(ev.conversation.id) });
      return;
    }
    if (ev.type === "conversation.removed") {
      this.qc.removeQueries({ queryKey: chatKeys.history(ev.conversation_id) });
      this.qc.setQueryData(chatKeys.conversation(ev.conversation_id), null);
      return;
    }
    this.handleConversation(ev);
  }

  private handleConversation(ev: ConversationEvent) {
    const id = ev.conversation_id;
    if (ev.type === "members.changed") {
      void this.qc.invalidateQueries({ queryKey: chatKeys.members(id) });
      this.qc.setQueryData<ConversationOut | null>(chatKeys.conversation(id), (c) => (c ? { ...c, member_count: ev.member_count } : c));
      this.scheduleReceipts(id);
      return;
    }
    if (ev.type === "read") {
      if (ev.person_id === this.me) {
        this.qc.setQueryData<ConversationOut | null>(chatKeys.conversation(id), (c) =>
          c && ev.last_read_seq > c.last_read_seq
            ? clearReadMentions({ ...c, last_read_seq: ev.last_read_seq, unread: Math.max(0, c.last_seq - ev.last_read_seq) })
            : c,
        );
      } else this.scheduleReceipts(id);
      return;
    }
    this.applySearch(ev);
    if (ev.type === "message.new") {
      const conv = this.qc.getQueryData<ConversationOut[]>(chatKeys.list)?.find((c) => c.id === id);
      if (ev.message.sender?.id !== this.me) this.notify?.(conv, ev.message);
      else if (ev.message.unread_count == null) this.scheduleReceipts(id);
    }
    const held = this.held.get(id);
    if (held) {
      held.push(ev);
      return;
    }
    const h = this.history(id);
    if (!h) return; // not loaded: it will be fetched fresh when opened
    const r = applyToHistory(h, ev);
    if (r.history !== h) this.qc.setQueryData(chatKeys.history(id), r.history);
    if (r.gapAfter != null) void this.catchUp(id, r.gapAfter);
  }

  /**
   * A message in a conversation the loaded list does not have (further down than loaded, or new
   * to us): fetch that conversation and put it on top, rather than the whole list again.
   */
  private async refreshConversation(id: number) {
    try {
      const c = await call(api.GET("/api/v1/conversations/{conversation_id}", { params: { path: { conversation_id: id } } }));
      this.setList((l) => mergeConversations(l, [c]));
    } catch {
      void this.qc.invalidateQueries({ queryKey: chatKeys.list });
    }
  }

  /** Keeps open searches of this conversation up to date with its events. */
  private applySearch(ev: ConversationEvent) {
    const entries = this.qc.getQueriesData<SearchPage>({ queryKey: chatKeys.searches(ev.conversation_id) });
    for (const [key, page] of entries) {
      if (!page) continue;
      const r = applyToSearch(page, String(key[3]), ev, SEARCH_LIMIT);
      if (r.page !== page) this.qc.setQueryData(key, r.page);
      if (r.refetch) void this.qc.invalidateQueries({ queryKey: key, exact: true });
    }
  }

  /** On (re)connect: the list, then every loaded history from its last seq. */
  async resync() {
    await this.qc.invalidateQueries({ queryKey: chatKeys.list });
    await this.qc.invalidateQueries({ queryKey: ["chat", "conversation"] });
    const histories = this.qc.getQueriesData<History>({ queryKey: ["chat", "history"] });
    await Promise.all(
      histories.map(async ([key, h]) => {
        const id = key[2] as number;
        if (!h) return;
        try {
          await this.catchUp(id);
          this.scheduleReceipts(id);
        } catch {
          /* the next hello or refetch tries again */
        }
      }),
    );
  }

  // ------------------------------------------------------------------ reading and receipts

  /** Marks everything up to `seq` read: a socket frame, or POST .../read when the socket is down. */
  markRead(id: number, seq: number) {
    const patchConv = (c: ConversationOut) =>
      seq > c.last_read_seq ? clearReadMentions({ ...c, last_read_seq: seq, unread: Math.max(0, c.last_seq - seq) }) : c;
    this.setList((l) => l.map((c) => (c.id === id ? patchConv(c) : c)));
    this.qc.setQueryData<ConversationOut | null>(chatKeys.conversation(id), (c) => (c ? patchConv(c) : c));
    if (!this.rt.send({ type: "read", conversation_id: id, seq })) {
      void call(
        api.POST("/api/v1/conversations/{conversation_id}/read", {
          params: { path: { conversation_id: id } },
          body: { seq },
        }),
      ).catch(() => undefined);
    }
  }

  /** Refreshes the unread counts of one's own recent messages (debounced). */
  scheduleReceipts(id: number, delay = 300) {
    if (this.receiptTimers.has(id)) return;
    this.receiptTimers.set(
      id,
      setTimeout(() => {
        this.receiptTimers.delete(id);
        void this.refreshReceipts(id);
      }, delay),
    );
  }

  /** The seqs in view per conversation (set by the chat view): receipts are fetched for those. */
  readonly visible = new Map<number, [number, number]>();

  async refreshReceipts(id: number) {
    const h = this.history(id);
    if (!h) return;
    const range = this.visible.get(id);
    const own = h.items.filter(
      (m) => m.sender?.id === this.me && !m.recalled && m.kind !== "system" && (!range || (m.seq >= range[0] && m.seq <= range[1])),
    );
    const seqs = own.slice(-200).map((m) => m.seq);
    if (!seqs.length) return;
    const counts = await call(
      api.GET("/api/v1/conversations/{conversation_id}/receipts", {
        params: { path: { conversation_id: id }, query: { seqs: seqs.join(",") } },
      }),
    ).catch(() => null);
    if (!counts) return;
    const by = new Map(counts.map((c) => [c.seq, c.unread_count]));
    this.setHistory(id, (cur) => ({
      ...cur,
      items: cur.items.map((m) => (by.has(m.seq) && by.get(m.seq) !== m.unread_count ? { ...m, unread_count: by.get(m.seq)! } : m)),
    }));
    for (const seq of seqs) void this.qc.invalidateQueries({ queryKey: chatKeys.receipt(id, seq) });
  }
}

let current: ChatSync | null = null;

/**
 * The tab's chat handlers for this query cache (one set at a time: a new cache replaces them).
 * The socket itself belongs to the real-time service; `useChatSync` holds it open.
 */
export function chatSyncFor(qc: QueryClient, me: number, rt: Realtime): ChatSync {
  if (!current || current.qc !== qc || current.rt !== rt) {
    current?.detach();
    current = new ChatSync(qc, me, rt);
  }
  current.me = me;
  current.attach();
  return current;
}

export function chatSync(): ChatSync | null {
  return current;
}
