/**
 * Messages being sent (optimistic): kept in the query cache under ["chat", "pending", id] so they
 * survive switching conversations. A retry reuses the same client_msg_id, so the server never
 * stores a duplicate.
 */
import { useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { ApiError } from "../../api/http";
import { chatSync } from "../../realtime/chatSync";
import { sendMessage, uploadFile, type FileOut } from "./api";

export interface Pending {
  client_msg_id: string;
  kind: "text" | "image" | "file";
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
}

const key = (id: number) => ["chat", "pending", id] as const;

export function newClientId(): string {
  if (typeof crypto !== "undefined" && "randomUUID" in crypto) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

function setPending(qc: QueryClient, id: number, fn: (l: Pending[]) => Pending[]) {
  qc.setQueryData<Pending[]>(key(id), (l) => fn(l ?? []));
}

function updatePending(qc: QueryClient, id: number, cid: string, patch: Partial<Pending>) {
  setPending(qc, id, (l) => l.map((p) => (p.client_msg_id === cid ? { ...p, ...patch } : p)));
}

export function removePending(qc: QueryClient, id: number, cid: string) {
  setPending(qc, id, (l) => {
    const p = l.find((x) => x.client_msg_id === cid);
    if (p?.previewUrl) URL.revokeObjectURL(p.previewUrl);
    return l.filter((x) => x.client_msg_id !== cid);
  });
}

/** Sends one pending message of conversation `id` (uploading its file first if need be). */
export async function deliverPending(qc: QueryClient, id: number, p: Pending, onError?: (title: string) => void) {
  updatePending(qc, id, p.client_msg_id, { status: "sending", error: undefined });
  let file = p.file;
  try {
    if (!file && p.localFile) {
      file = await uploadFile(id, p.localFile);
      updatePending(qc, id, p.client_msg_id, { file });
    }
    const m = await sendMessage(id, {
      client_msg_id: p.client_msg_id,
      kind: p.kind,
      body: p.body,
      mentions: p.mentions,
      reply_to_seq: p.reply_to_seq,
      file_id: file?.id ?? null,
    });
    chatSync()?.putMessage(m);
    removePending(qc, id, p.client_msg_id);
  } catch (e) {
    const title = e instanceof ApiError ? e.problem.title : String(e);
    // Refused for good, unless it only has to wait: a timeout, a rate limit, or the same
    // client_msg_id still being stored by an earlier try (sending again returns it).
    const final =
      e instanceof ApiError &&
      e.status >= 400 &&
      e.status < 500 &&
      e.status !== 408 &&
      e.status !== 429 &&
      e.problem.code !== "client_msg_id_in_flight";
    updatePending(qc, id, p.client_msg_id, { status: "failed", error: title, final });
    if (e instanceof ApiError && e.status > 0) onError?.(title);
  }
}

/**
 * Back online (the socket reconnected): what failed for want of a connection goes again, in
 * every conversation, with the same client_msg_id, so a send that did reach the server is not
 * stored twice. Called by ChatRealtime, which is mounted once.
 */
export function resendFailed(qc: QueryClient) {
  for (const q of qc.getQueryCache().findAll({ queryKey: ["chat", "pending"] })) {
    const id = q.queryKey[2];
    if (typeof id !== "number") continue;
    for (const p of (q.state.data as Pending[] | undefined) ?? []) {
      const tries = p.tries ?? 0;
      if (p.status === "failed" && !p.final && tries < AUTO_TRIES) {
        updatePending(qc, id, p.client_msg_id, { tries: tries + 1 });
        void deliverPending(qc, id, p);
      }
    }
  }
}

/** How many times a failed send is retried by itself; then it waits for a tap on "!". */
export const AUTO_TRIES = 5;
/** While connected, failed sends are retried this often (a flapping network). */
export const RESEND_EVERY = 5000;

export function usePending(id: number) {
  const qc = useQueryClient();
  const q = useQuery<Pending[]>({ queryKey: key(id), queryFn: () => [], staleTime: Infinity, gcTime: Infinity, initialData: [] });
  const deliver = useCallback((p: Pending, onError?: (title: string) => void) => deliverPending(qc, id, p, onError), [qc, id]);
  const remove = useCallback((cid: string) => removePending(qc, id, cid), [qc, id]);
  const send = useCallback(
    (draft: Omit<Pending, "client_msg_id" | "status" | "created_at">, onError?: (title: string) => void) => {
      const p: Pending = { ...draft, client_msg_id: newClientId(), status: "sending", created_at: new Date().toISOString() };
      setPending(qc, id, (l) => [...l, p]);
      void deliverPending(qc, id, p, onError);
    },
    [qc, id],
  );
  return { items: q.data, send, retry: deliver, remove };
}
