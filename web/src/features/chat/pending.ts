/**
 * Messages being sent (optimistic): kept in the query cache under ["chat", "pending", id] so they
 * survive switching conversations, and in this browser's IndexedDB (outbox.ts) so they survive a
 * reload: restorePending puts them back in their conversations as failed, and they go again by
 * themselves. A retry reuses the same client_msg_id, so the server never stores a duplicate.
 */
import { useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { ApiError } from "../../api/http";
import { chatSync } from "./live/sync";
import { sendMessage, uploadFile, type FileOut, type Message } from "./api";
import { dropMessage, keepMessage, loadMessages, outboxGeneration, ownOutbox, type Restored, type StoredMessage } from "./outbox";

export interface Pending {
  client_msg_id: string;
  kind: "text" | "image" | "file" | "voice";
  body: string | null;
  mentions: (number | "all")[];
  reply_to_seq: number | null;
  reply_preview: string | null;
  localFile?: File;
  previewUrl?: string;
  file?: FileOut;
  status: "sending" | "failed";
  error?: string;
  /** Refused by the server (a lying file type, too large...): sending it again cannot help. */
  final?: boolean;
  /** Automatic resends so far (see resendFailed). */
  tries?: number;
  created_at: string;
  /** Kept in this browser under this log-in (outbox.ts); unset in a private chat, which keeps nothing. */
  kept?: number;
  /** A file's name and size, also when its bytes could not be kept across a reload. */
  file_name?: string;
  file_size?: number;
  /** A voice message's length as recorded (the server checks it against the recording). */
  duration_ms?: number;
  /** Restored after a reload without the file's bytes (they could not be kept): choose it again. */
  lost_file?: boolean;
}

const key = (id: number) => ["chat", "pending", id] as const;

export function newClientId(): string {
  if (typeof crypto !== "undefined" && "randomUUID" in crypto) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

function setPending(qc: QueryClient, id: number, fn: (l: Pending[]) => Pending[]) {
  qc.setQueryData<Pending[]>(key(id), (l) => fn(l ?? []));
}

function currentPending(qc: QueryClient, id: number, cid: string): Pending | undefined {
  return qc.getQueryData<Pending[]>(key(id))?.find((p) => p.client_msg_id === cid);
}

/** What outbox.ts keeps of a message (nothing of this page's state: status, tries, object URLs). */
function stored(id: number, p: Pending): StoredMessage {
  return {
    conversation_id: id,
    client_msg_id: p.client_msg_id,
    kind: p.kind,
    body: p.body,
    mentions: p.mentions,
    reply_to_seq: p.reply_to_seq,
    reply_preview: p.reply_preview,
    file: p.file,
    file_name: p.file_name ?? p.localFile?.name,
    file_size: p.file_size ?? p.localFile?.size,
    duration_ms: p.duration_ms,
    error: p.error,
    final: p.final,
    created_at: p.created_at,
  };
}

/** Changes one message; with `keep`, also what this browser keeps of it (an error, an upload). */
function updatePending(qc: QueryClient, id: number, cid: string, patch: Partial<Pending>, keep = false) {
  setPending(qc, id, (l) => l.map((p) => (p.client_msg_id === cid ? { ...p, ...patch } : p)));
  const p = keep ? currentPending(qc, id, cid) : undefined;
  if (p?.kept !== undefined) void keepMessage(p.kept, stored(id, p));
}

export function removePending(qc: QueryClient, id: number, cid: string) {
  const p = currentPending(qc, id, cid);
  if (!p) return;
  if (p.previewUrl) URL.revokeObjectURL(p.previewUrl);
  setPending(qc, id, (l) => l.filter((x) => x.client_msg_id !== cid));
  if (p.kept !== undefined) void dropMessage(p.kept, cid);
}

/** The history shows messages the server has stored: a pending one among them is done. */
export function settleDelivered(qc: QueryClient, id: number, messages: readonly Message[]) {
  const pending = qc.getQueryData<Pending[]>(key(id));
  if (!pending?.length) return;
  const delivered = new Set(messages.map((m) => m.client_msg_id).filter(Boolean));
  for (const p of pending) if (delivered.has(p.client_msg_id)) removePending(qc, id, p.client_msg_id);
}

/**
 * After a reload: the messages this browser kept for `me` go back into their conversations,
 * oldest first, marked as failed so that resendFailed sends them again (a new round of
 * AUTO_TRIES); a refused one stays refused. A file whose bytes could not be kept can only be
 * discarded (and chosen again). Answers how many came back.
 */
export async function restorePending(qc: QueryClient, me: number): Promise<number> {
  const gen = ownOutbox(me);
  qc.setQueryDefaults(["chat", "pending"], { staleTime: Infinity, gcTime: Infinity });
  const kept = await loadMessages(me);
  if (outboxGeneration() !== gen) return 0;
  const byConversation = new Map<number, Restored[]>();
  for (const r of kept) byConversation.set(r.conversation_id, [...(byConversation.get(r.conversation_id) ?? []), r]);
  for (const [id, list] of byConversation)
    setPending(qc, id, (l) => {
      const here = new Set(l.map((p) => p.client_msg_id));
      const back = list.filter((r) => !here.has(r.client_msg_id)).map((r) => restored(r, gen));
      return back.length ? [...l, ...back].sort((a, b) => a.created_at.localeCompare(b.created_at)) : l;
    });
  return kept.length;
}

function restored(r: Restored, gen: number): Pending {
  const lost = r.kind !== "text" && !r.file && !r.blob;
  return {
    client_msg_id: r.client_msg_id,
    kind: r.kind,
    body: r.body,
    mentions: r.mentions,
    reply_to_seq: r.reply_to_seq,
    reply_preview: r.reply_preview,
    localFile: r.blob,
    previewUrl: r.kind === "image" && r.blob && !r.file ? URL.createObjectURL(r.blob) : undefined,
    file: r.file,
    file_name: r.file_name,
    file_size: r.file_size,
    duration_ms: r.duration_ms,
    status: "failed",
    error: lost ? undefined : r.error,
    final: r.final || lost || undefined,
    lost_file: lost || undefined,
    tries: 0,
    created_at: r.created_at,
    kept: gen,
  };
}

/** Sends one pending message of conversation `id` (uploading its file first if need be). */
export async function deliverPending(qc: QueryClient, id: number, p: Pending, onError?: (title: string) => void) {
  updatePending(qc, id, p.client_msg_id, { status: "sending", error: undefined });
  let file = p.file;
  try {
    if (!file && p.localFile) {
      file = await uploadFile(id, p.localFile);
      updatePending(qc, id, p.client_msg_id, { file }, true);
    }
    const m = await sendMessage(id, {
      client_msg_id: p.client_msg_id,
      kind: p.kind,
      body: p.body,
      mentions: p.mentions,
      reply_to_seq: p.reply_to_seq,
      file_id: file?.id ?? null,
      duration_ms: p.kind === "voice" ? (p.duration_ms ?? null) : null,
    });
    chatSync()?.putMessage(m);
    removePending(qc, id, p.client_msg_id);
  } catch (e) {
    // The server's reason (in the user's language); none when it could not be reached: the bubble
    // then says "发送失败" / "Not sent" in the language shown, also after a reload.
    const title = e instanceof ApiError && e.status > 0 ? e.problem.title : undefined;
    // Refused for good, unless it only has to wait: a timeout, a rate limit, or the same
    // client_msg_id still being stored by an earlier try (sending again returns it).
    const final =
      e instanceof ApiError &&
      e.status >= 400 &&
      e.status < 500 &&
      e.status !== 408 &&
      e.status !== 429 &&
      e.problem.code !== "client_msg_id_in_flight";
    updatePending(qc, id, p.client_msg_id, { status: "failed", error: title, final }, true);
    if (title) onError?.(title);
  }
}

/**
 * Back online (the socket reconnected), or the page reloaded: what failed for want of a
 * connection goes again, in every conversation, with the same client_msg_id, so a send that did
 * reach the server is not stored twice. A conversation's messages go one after another, oldest
 * first, so they arrive in the order they were written. Called by ChatRealtime, which is mounted
 * once.
 */
export function resendFailed(qc: QueryClient) {
  for (const q of qc.getQueryCache().findAll({ queryKey: ["chat", "pending"] })) {
    const id = q.queryKey[2];
    if (typeof id !== "number") continue;
    const due = ((q.state.data as Pending[] | undefined) ?? []).filter((p) => p.status === "failed" && !p.final && (p.tries ?? 0) < AUTO_TRIES);
    if (!due.length) continue;
    // Marked as being sent at once, so the next round does not send the later ones a second time.
    for (const p of due) updatePending(qc, id, p.client_msg_id, { tries: (p.tries ?? 0) + 1, status: "sending" });
    void (async () => {
      for (const p of due) {
        const now = currentPending(qc, id, p.client_msg_id);
        if (now) await deliverPending(qc, id, now);
      }
    })();
  }
}

/** How many times a failed send is retried by itself; then it waits for a tap on "!". */
export const AUTO_TRIES = 5;
/** While connected, failed sends are retried this often (a flapping network). */
export const RESEND_EVERY = 5000;

/** Creation times that sort as the messages were written, even several in one millisecond. */
let lastStamp = 0;
function stamp(): string {
  lastStamp = Math.max(Date.now(), lastStamp + 1);
  return new Date(lastStamp).toISOString();
}

/** The pending messages of conversation `id`; `keep`: kept in this browser (not in a private chat). */
export function usePending(id: number, keep = true) {
  const qc = useQueryClient();
  const q = useQuery<Pending[]>({ queryKey: key(id), queryFn: () => [], staleTime: Infinity, gcTime: Infinity, initialData: [] });
  const deliver = useCallback((p: Pending, onError?: (title: string) => void) => deliverPending(qc, id, p, onError), [qc, id]);
  const remove = useCallback((cid: string) => removePending(qc, id, cid), [qc, id]);
  const send = useCallback(
    (draft: Omit<Pending, "client_msg_id" | "status" | "created_at">, onError?: (title: string) => void) => {
      const p: Pending = {
        ...draft,
        client_msg_id: newClientId(),
        status: "sending",
        created_at: stamp(),
        file_name: draft.localFile?.name,
        file_size: draft.localFile?.size,
        kept: keep ? outboxGeneration() : undefined,
      };
      setPending(qc, id, (l) => [...l, p]);
      if (p.kept !== undefined) void keepMessage(p.kept, stored(id, p), p.localFile);
      void deliverPending(qc, id, p, onError);
    },
    [qc, id, keep],
  );
  return { items: q.data, send, retry: deliver, remove };
}
