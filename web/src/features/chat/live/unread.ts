/**
 * The unread total of the tab title and the chat entry's badge, over all of one's conversations
 * however few of them the list has loaded:
 *
 *   shown = the `unread` of the loaded conversations (not muted)
 *         + the server's total over the conversations after the list's cursor
 *           (`GET /api/v1/conversations/unread?cursor=...`).
 *
 * The loaded ones are kept exact by the live events (each keyed by seq, so an event the list has
 * already seen changes nothing). Only an event for a conversation the loaded part does not count
 * asks the server for the rest again.
 */
import type { ConversationOut, ServerEvent } from "./events";
import { byActivity } from "./history";

/** A place in the list's order (pinned ones first, then most recent activity, then id). */
export interface ListPlace {
  id: number;
  last_message_at: string;
  pinned: boolean;
}

/** The place of the last conversation of the last loaded page: the list's cursor. */
export function placeOf(c: ListPlace | undefined): ListPlace | null {
  return c ? { id: c.id, last_message_at: c.last_message_at, pinned: !!c.pinned } : null;
}

/**
 * Whether the loaded list counts this conversation: it sorts at or above `edge`, the list's
 * cursor (null: the whole list is loaded). A conversation below it that the list holds anyway (a
 * rename of an old group, one opened from a search) is counted by the server's rest instead.
 */
export function countedByList(c: ListPlace, edge: ListPlace | null): boolean {
  return edge == null || byActivity(c, edge) <= 0;
}

/** The total to show: the loaded conversations' counts plus `rest`, muted ones apart. */
export function unreadShown(list: ConversationOut[], edge: ListPlace | null, rest: number): number {
  let n = edge == null ? 0 : rest;
  for (const c of list) if (!c.muted && countedByList(c, edge)) n += c.unread;
  return n;
}

/**
 * The conversation whose unread count an event can change for person `me`, or null. New
 * messages add (one's own reset it), one's reading lowers it, and a conversation comes (with its
 * count) or goes. Recalls, burns, openings and other people's membership changes leave every
 * count as it is: the server counts unread by seq, and a recalled message keeps its seq.
 */
export function unreadTouched(ev: ServerEvent, me: number): number | null {
  switch (ev.type) {
    case "message.new":
    case "conversation.removed":
      return ev.conversation_id;
    case "read":
      return ev.person_id === me ? ev.conversation_id : null;
    case "conversation.updated":
      return ev.conversation.id;
    default:
      return null;
  }
}

/**
 * Whether an event changes the server's rest, so it must be fetched again: it touches a
 * conversation that the loaded list does not count (not loaded, or below the cursor).
 */
export function restChangedBy(ev: ServerEvent, me: number, list: ConversationOut[] | undefined, edge: ListPlace | null): boolean {
  const id = unreadTouched(ev, me);
  if (id == null || edge == null) return false;
  const c = list?.find((x) => x.id === id);
  // A conversation that changes place (pinned, unpinned) may cross the cursor either way.
  if (ev.type === "conversation.updated" && !countedByList(ev.conversation, edge)) return true;
  return !c || !countedByList(c, edge);
}
