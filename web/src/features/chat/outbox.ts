/**
 * The unsent messages of the person logged in, kept in this browser (IndexedDB) so that a reload,
 * a crash or a closed tab loses none: pending.ts writes each message here when it is written,
 * changes it when it fails or its file is uploaded, and deletes it when the server has stored it
 * or the user discards it. At the next start they are read back into their conversations and
 * sent again with the same client_msg_id (the server stores a retried send once).
 *
 * Two stores, both keyed by [person id, client_msg_id]: `messages` (the small part, rewritten as
 * a message changes) and `files` (the bytes of a file not yet uploaded, written once). Logging
 * out, or the session ending any other way, empties both, as it does the drafts (drafts.ts).
 * Private (burn-after-reading) chats keep nothing here: pending.ts never stores their messages.
 */
import { openDB, type DBSchema, type IDBPDatabase } from "idb";
import type { FileOut } from "./api";

/** What is kept of a message (pending.ts's Pending without what belongs to this page only). */
export interface StoredMessage {
  conversation_id: number;
  client_msg_id: string;
  kind: "text" | "image" | "file" | "voice";
  body: string | null;
  mentions: (number | "all")[];
  reply_to_seq: number | null;
  reply_preview: string | null;
  /** Uploaded already: its bytes are on the server, only the reference is kept. */
  file?: FileOut;
  /** The chosen file's name and size (shown in the bubble, also when its bytes are lost). */
  file_name?: string;
  file_size?: number;
  duration_ms?: number;
  error?: string;
  final?: boolean;
  created_at: string;
}

export interface Restored extends StoredMessage {
  /** The file not yet uploaded, if its bytes were kept. */
  blob?: File;
}

type Key = [number, string];

interface OutboxDB extends DBSchema {
  messages: { key: Key; value: StoredMessage & { me: number } };
  files: { key: Key; value: { me: number; client_msg_id: string; file: File } };
}

const DB_NAME = "bellwork-outbox";
let db: Promise<IDBPDatabase<OutboxDB>> | null = null;

function open(): Promise<IDBPDatabase<OutboxDB>> | null {
  if (typeof indexedDB === "undefined") return null;
  db ??= openDB<OutboxDB>(DB_NAME, 1, {
    upgrade(d) {
      d.createObjectStore("messages", { keyPath: ["me", "client_msg_id"] });
      d.createObjectStore("files", { keyPath: ["me", "client_msg_id"] });
    },
    // Another tab upgrades the database (a newer client): let it, and open again when needed.
    blocking() {
      void db?.then((d) => d.close());
      db = null;
    },
  }).catch((e: unknown) => {
    db = null;
    throw e;
  });
  return db;
}

/** Whose messages may be written now, and in which log-in: see `ownOutbox`. */
let owner: { me: number; gen: number } | null = null;
let generation = 0;

/**
 * The person logged in starts using the outbox; answers a number that each kept message carries,
 * so that a send still under way when they log out cannot write its message back afterwards.
 */
export function ownOutbox(me: number): number {
  if (owner?.me !== me) owner = { me, gen: ++generation };
  return owner.gen;
}

/** The current log-in's number, if the outbox is in use (see `ownOutbox`). */
export function outboxGeneration(): number | undefined {
  return owner?.gen;
}

function whose(gen: number | undefined): number | null {
  return owner && gen === owner.gen ? owner.me : null;
}

/** Messages done with on this page: a late write (a failure noted after success) cannot bring one back. */
const dropped = new Set<string>();

/** Keeps (or rewrites) one message; `file` is written only when given (once, when it is sent). */
export async function keepMessage(gen: number | undefined, m: StoredMessage, file?: File): Promise<void> {
  const me = whose(gen);
  const opened = open();
  if (me == null || !opened || dropped.has(m.client_msg_id)) return;
  try {
    const d = await opened;
    if (whose(gen) !== me || dropped.has(m.client_msg_id)) return; // logged out, or done, meanwhile
    const tx = d.transaction(["messages", "files"], "readwrite");
    const writes: Promise<unknown>[] = [tx.objectStore("messages").put({ ...m, me })];
    if (file) writes.push(tx.objectStore("files").put({ me, client_msg_id: m.client_msg_id, file }));
    else if (m.file) writes.push(tx.objectStore("files").delete([me, m.client_msg_id])); // uploaded: the bytes are on the server
    await Promise.all([...writes, tx.done]);
  } catch {
    // Storage full, disabled, or the file's bytes cannot be kept: the message itself is kept
    // without them if it can be (the bubble then names the file and asks for it again).
    if (file) await keepMessage(gen, m).catch(() => undefined);
  }
}

/** Forgets one message (the server stored it, or the user discarded it). */
export async function dropMessage(gen: number | undefined, clientMsgId: string): Promise<void> {
  dropped.add(clientMsgId);
  const me = whose(gen);
  const opened = open();
  if (me == null || !opened) return;
  try {
    const d = await opened;
    const tx = d.transaction(["messages", "files"], "readwrite");
    await Promise.all([tx.objectStore("messages").delete([me, clientMsgId]), tx.objectStore("files").delete([me, clientMsgId]), tx.done]);
  } catch {
    /* nothing kept, or storage disabled */
  }
}

/** The messages kept for `me`, oldest first, with the bytes of files not yet uploaded. */
export async function loadMessages(me: number): Promise<Restored[]> {
  const opened = open();
  if (!opened) return [];
  try {
    const d = await opened;
    const range = IDBKeyRange.bound([me, ""], [me, "\uffff"]);
    const tx = d.transaction(["messages", "files"], "readonly");
    const [messages, files] = await Promise.all([tx.objectStore("messages").getAll(range), tx.objectStore("files").getAll(range)]);
    const bytes = new Map(files.map((f) => [f.client_msg_id, f.file]));
    return messages
      .filter((m) => !dropped.has(m.client_msg_id))
      .map(({ me: _, ...m }) => ({ ...m, blob: asFile(bytes.get(m.client_msg_id), m.file_name) }))
      .sort((a, b) => a.created_at.localeCompare(b.created_at));
  } catch {
    return [];
  }
}

/** Some stores give a File back as a plain Blob: it gets its name again (kept with the message). */
function asFile(b: Blob | undefined, name: string | undefined): File | undefined {
  if (!b) return undefined;
  return b instanceof File && b.name ? b : new File([b], name ?? "file", { type: b.type });
}

/** Forgets every unsent message kept in this browser, of everyone (logout, session ended). */
export async function clearOutbox(): Promise<void> {
  owner = null;
  const opened = open();
  if (!opened) return;
  try {
    const d = await opened;
    const tx = d.transaction(["messages", "files"], "readwrite");
    await Promise.all([tx.objectStore("messages").clear(), tx.objectStore("files").clear(), tx.done]);
  } catch {
    /* nothing to clear */
  }
}
