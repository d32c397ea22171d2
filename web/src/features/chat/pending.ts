/**
 * Messages being sent (optimistic): kept in the query cache under ["chat", "pending", id] so they
 * survive switching conversations. A retry reuses the same client_msg_id, so the server never
 * stores a duplicate.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect } from "react";
import { ApiError } from "../../api/http";
import { useChatSync } from "../../realtime";
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
  created_at: string;
}

const key = (id: number) => ["chat", "pending", id] as const;

export function newClientId(): string {
  if (typeof crypto !== "undefined" && "randomUUID" in crypto) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

export function usePending(id: number) {
  const qc = useQueryClient();
  const q = useQuery<Pending[]>({ queryKey: key(id), queryFn: () => [], staleTime: Infinity, gcTime: Infinity, initialData: [] });
  const set = useCallback(
    (fn: (l: Pending[]) => Pending[]) => qc.setQueryData<Pending[]>(key(id), (l) => fn(l ?? [])),
    [qc, id],
  );
  const update = useCallback(
    (cid: string, patch: Partial<Pending>) => set((l) => l.map((p) => (p.client_msg_id === cid ? { ...p, ...patch } : p))),
    [set],
  );
  const remove = useCallback(
    (cid: string) =>
      set((l) => {
        const p = l.find((x) => x.client_msg_id === cid);
        if (p?.previewUrl) URL.revokeObjectURL(p.previewUrl);
        return l.filter((x) => x.client_msg_id !== cid);
      }),
    [set],
  );

  const deliver = useCallback(
    async (p: Pending, onError?: (title: string) => void) => {
      update(p.client_msg_id, { status: "sending", error: undefined });
      let file = p.file;
      try {
        if (!file && p.localFile) {
          file = await uploadFile(id, p.localFile);
          update(p.client_msg_id, { file });
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
        remove(p.client_msg_id);
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
        update(p.client_msg_id, { status: "failed", error: title, final });
        if (e instanceof ApiError && e.status > 0) onError?.(title);
      }
    },
    [id, update, remove],
  );

  const send = useCallback(
    (draft: Omit<Pending, "client_msg_id" | "status" | "created_at">, onError?: (title: string) => void) => {
      const p: Pending = { ...draft, client_msg_id: newClientId(), status: "sending", created_at: new Date().toISOString() };
      set((l) => [...l, p]);
      void deliver(p, onError);
    },
    [set, deliver],
  );

  // Back online (the socket reconnected): what failed for want of a connection goes again, with
  // the same client_msg_id, so a send that did reach the server is not stored twice.
  const sync = useChatSync();
  useEffect(() => {
    if (!sync) return;
    let last = sync.status;
    return sync.onStatus((s) => {
      if (s === "open" && last !== "open") {
        for (const p of qc.getQueryData<Pending[]>(key(id)) ?? []) if (p.status === "failed" && !p.final) void deliver(p);
      }
      last = s;
    });
  }, [sync, qc, id, deliver]);

  return { items: q.data, send, retry: deliver, remove };
}
