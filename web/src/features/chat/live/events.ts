/**
 * Chat's part of the socket's events, picked out of the generated union by `type` (nothing is
 * written here by hand: a field the server changes is a type error where it is used).
 */
import type { components } from "../../../api/schema";
import type { EventOf, ServerEvent } from "../../../realtime/protocol";

export type { ServerEvent };
export type MessageOut = components["schemas"]["MessageOut"];
export type ConversationOut = components["schemas"]["ConversationOut"];

/** The events chat handles. Adding one the server does not send is a type error. */
export const CHAT_EVENTS = [
  "message.new",
  "message.recalled",
  "message.opened",
  "message.deleted",
  "read",
  "conversation.updated",
  "conversation.removed",
  "members.changed",
] as const satisfies readonly ServerEvent["type"][];

export type ChatEvent = EventOf<(typeof CHAT_EVENTS)[number]>;

/** Events that concern one conversation's message history. */
export type ConversationEvent = EventOf<
  "message.new" | "message.recalled" | "message.opened" | "message.deleted" | "read" | "members.changed"
>;

/**
 * Whether a chat event has what chat reads before trusting it (a conversation, a message with its
 * seq); a malformed one is dropped rather than written into the caches.
 */
export function wellFormed(ev: ChatEvent): boolean {
  const o = ev as unknown as Record<string, unknown>;
  if (ev.type === "conversation.updated") {
    return !!o.conversation && typeof (o.conversation as { id?: unknown }).id === "number";
  }
  if (typeof o.conversation_id !== "number") return false;
  if (ev.type === "message.new") return !!o.message && typeof (o.message as { seq?: unknown }).seq === "number";
  return true;
}
