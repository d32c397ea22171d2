/**
 * The WebSocket protocol of docs/realtime.md, typed. The server's union is
 * `bellwork.chat.events.Event`; it is not (yet) in the OpenAPI schema, so it is written here from
 * the docs, reusing the generated REST types for the items the events carry.
 */
import type { components } from "../api/schema";

type S = components["schemas"];
export type MessageOut = S["MessageOut"];
export type ConversationOut = S["ConversationOut"];

export interface HelloEvent {
  type: "hello";
  person_id: number;
  connection_id: string;
}
export interface MessageNewEvent {
  type: "message.new";
  conversation_id: number;
  message: MessageOut;
}
export interface MessageRecalledEvent {
  type: "message.recalled";
  conversation_id: number;
  seq: number;
  recalled_by: number;
}
export interface MessageOpenedEvent {
  type: "message.opened";
  conversation_id: number;
  seq: number;
  expires_at: string;
}
export interface MessageDeletedEvent {
  type: "message.deleted";
  conversation_id: number;
  seq: number;
}
export interface ReadEvent {
  type: "read";
  conversation_id: number;
  person_id: number;
  last_read_seq: number;
}
export interface ConversationUpdatedEvent {
  type: "conversation.updated";
  conversation: ConversationOut;
}
export interface ConversationRemovedEvent {
  type: "conversation.removed";
  conversation_id: number;
}
export interface MembersChangedEvent {
  type: "members.changed";
  conversation_id: number;
  added: number[];
  removed: number[];
  member_count: number;
}
export interface PongEvent {
  type: "pong";
}
export interface ErrorEvent {
  type: "error";
  code: string;
  title: string;
}

export type ServerEvent =
  | HelloEvent
  | MessageNewEvent
  | MessageRecalledEvent
  | MessageOpenedEvent
  | MessageDeletedEvent
  | ReadEvent
  | ConversationUpdatedEvent
  | ConversationRemovedEvent
  | MembersChangedEvent
  | PongEvent
  | ErrorEvent;

/** Events that concern one conversation's message history. */
export type ConversationEvent =
  | MessageNewEvent
  | MessageRecalledEvent
  | MessageOpenedEvent
  | MessageDeletedEvent
  | ReadEvent
  | MembersChangedEvent;

export type ClientFrame = { type: "ping" } | { type: "read"; conversation_id: number; seq: number };

const TYPES = new Set<string>([
  "hello",
  "message.new",
  "message.recalled",
  "message.opened",
  "message.deleted",
  "read",
  "conversation.updated",
  "conversation.removed",
  "members.changed",
  "pong",
  "error",
]);

/** Parses one text frame; null for anything that is not a known event (ignored, never thrown). */
export function parseEvent(data: unknown): ServerEvent | null {
  if (typeof data !== "string") return null;
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch {
    return null;
  }
  if (!v || typeof v !== "object") return null;
  const type = (v as { type?: unknown }).type;
  if (typeof type !== "string" || !TYPES.has(type)) return null;
  const o = v as Record<string, unknown>;
  if (type !== "hello" && type !== "pong" && type !== "error" && type !== "conversation.updated") {
    if (typeof o.conversation_id !== "number") return null;
  }
  if (type === "message.new" && (!o.message || typeof (o.message as MessageOut).seq !== "number")) return null;
  if (type === "conversation.updated" && (!o.conversation || typeof (o.conversation as ConversationOut).id !== "number"))
    return null;
  return v as ServerEvent;
}
