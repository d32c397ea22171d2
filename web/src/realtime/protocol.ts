/**
 * The socket's frames, typed from the server's OpenAPI schema and nothing else: the server
 * publishes the union of its events (`components.schemas.Event`, every domain's part) and of the
 * frames a client may send (`components.schemas.ClientFrame`); `npm run gen:api` writes them into
 * `api/schema.d.ts`. An event's type is picked out of the union by its `type`
 * (`EventOf<"message.new">`), so a field the server renames or drops is a type error where it is
 * read. Do not write event interfaces by hand (`protocol.test.ts` fails on one).
 */
import type { components } from "../api/schema";

/** Anything the server sends on the socket. */
export type ServerEvent = components["schemas"]["Event"];
/** Anything a client may send. */
export type ClientFrame = components["schemas"]["ClientFrame"];

export type EventType = ServerEvent["type"];
/** The event (or events) of these types: `EventOf<"message.new">`. */
export type EventOf<T extends EventType> = Extract<ServerEvent, { type: T }>;
export type FrameOf<T extends ClientFrame["type"]> = Extract<ClientFrame, { type: T }>;

/** Topic names as the server writes them: `person:7`, `conv:12`, `unit:3`. */
export const TOPIC = /^[a-z]+:[0-9]{1,19}$/;
/** Topics in one subscribe / unsubscribe frame (realtime/frames.py `TOPICS_PER_FRAME`). */
export const TOPICS_PER_FRAME = 50;

/**
 * A topic as the server keys it (`unit:007` → `unit:7`), or null when it is not a topic name.
 * The server answers `subscribed` with this form, so bookkeeping uses it too.
 */
export function canonicalTopic(name: string): string | null {
  if (!TOPIC.test(name)) return null;
  const [prefix, id] = name.split(":");
  return `${prefix}:${id.replace(/^0+(?=\d)/, "")}`;
}

/**
 * Parses one text frame into an event: a JSON object with a string `type`, or null (ignored,
 * never thrown). The type is not checked against a list: the dispatcher routes by `type`, and a
 * type nobody handles (one a newer server added) is dropped there.
 */
export function parseEvent(data: unknown): ServerEvent | null {
  if (typeof data !== "string") return null;
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch {
    return null;
  }
  if (!v || typeof v !== "object" || Array.isArray(v)) return null;
  if (typeof (v as { type?: unknown }).type !== "string") return null;
  return v as ServerEvent;
}
