/**
 * Notices' React Query hooks. Keys: ["notices", "inbox", filter] (one's inbox), ["notices",
 * "unread"] (the badge), ["notices", "sent"] (one's own), ["notices", "one", id], ["notices",
 * "stats", id], ["notices", "people", id, unit, state] (the people behind a number).
 */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call, postForm } from "../../api/http";
import type { components } from "../../api/schema";

type S = components["schemas"];
export type NoticeSummary = S["NoticeSummary"];
export type NoticeOut = S["NoticeOut"];
export type NoticeCreate = S["NoticeCreate"];
export type NoticeEdit = S["NoticeEdit"];
export type NoticeFile = S["NoticeFileOut"];
export type NoticeStats = S["NoticeStats"];
export type UnitStats = S["UnitStats"];
export type Recipient = S["NoticeRecipient"];
export type RecipientState = "unread" | "read" | "unconfirmed" | "confirmed";
export type Importance = NoticeSummary["importance"];

export const noticeKeys = {
  all: ["notices"] as const,
  inboxAll: ["notices", "inbox"] as const,
  inbox: (unread: boolean, unit: number | null) => ["notices", "inbox", unread, unit] as const,
  unread: ["notices", "unread"] as const,
  sent: ["notices", "sent"] as const,
  one: (id: number) => ["notices", "one", id] as const,
  stats: (id: number) => ["notices", "stats", id] as const,
  people: (id: number) => ["notices", "people", id] as const,
};

export function useInbox(unread: boolean, unit: number | null = null, enabled = true) {
  return useInfiniteQuery({
    queryKey: noticeKeys.inbox(unread, unit),
    initialPageParam: null as string | null,
    enabled,
    queryFn: ({ pageParam }) =>
      call(
        api.GET("/api/v1/notices/inbox", {
          params: { query: { limit: 30, unread, ...(unit != null ? { unit_id: unit } : {}), ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? null,
  });
}

export function useUnreadNotices(enabled: boolean) {
  return useQuery({
    queryKey: noticeKeys.unread,
    queryFn: () => call(api.GET("/api/v1/notices/unread")),
    enabled,
    staleTime: Infinity,
  });
}

export function useSentNotices() {
  return useInfiniteQuery({
    queryKey: noticeKeys.sent,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      call(api.GET("/api/v1/notices", { params: { query: { limit: 30, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.next_cursor ?? null,
  });
}

export function useNotice(id: number) {
  return useQuery({
    queryKey: noticeKeys.one(id),
    queryFn: () => call(api.GET("/api/v1/notices/{notice_id}", { params: { path: { notice_id: id } } })),
  });
}

export function useNoticeStats(id: number) {
  return useQuery({
    queryKey: noticeKeys.stats(id),
    queryFn: () => call(api.GET("/api/v1/notices/{notice_id}/stats", { params: { path: { notice_id: id } } })),
  });
}

export function useRecipients(id: number, unit: number | null | "name", state: RecipientState, enabled: boolean) {
  return useInfiniteQuery({
    queryKey: [...noticeKeys.people(id), unit, state],
    initialPageParam: null as string | null,
    enabled,
    queryFn: ({ pageParam }) =>
      call(
        api.GET("/api/v1/notices/{notice_id}/recipients", {
          params: {
            path: { notice_id: id },
            query: {
              state,
              limit: 100,
              ...(unit === "name" ? { by_name: true } : unit != null ? { unit_id: unit } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? null,
  });
}

function refreshAuthor(qc: ReturnType<typeof useQueryClient>, id?: number) {
  void qc.invalidateQueries({ queryKey: noticeKeys.sent });
  void qc.invalidateQueries({ queryKey: ["workbench"] });
  if (id != null) void qc.invalidateQueries({ queryKey: noticeKeys.one(id) });
}

export function usePublishNotice() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NoticeCreate) => call(api.POST("/api/v1/notices", { body })),
    meta: { silent: true },
    onSuccess: () => refreshAuthor(qc),
  });
}

export function useEditNotice(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NoticeEdit) => call(api.PATCH("/api/v1/notices/{notice_id}", { params: { path: { notice_id: id } }, body })),
    meta: { silent: true },
    onSuccess: (n) => {
      qc.setQueryData(noticeKeys.one(id), n);
      refreshAuthor(qc, id);
    },
  });
}

export function useNoticeActions(id: number) {
  const qc = useQueryClient();
  const path = { params: { path: { notice_id: id } } };
  const mine = (n: NoticeOut) => {
    qc.setQueryData(noticeKeys.one(id), n);
    void qc.invalidateQueries({ queryKey: noticeKeys.unread });
    void qc.invalidateQueries({ queryKey: noticeKeys.inboxAll });
    void qc.invalidateQueries({ queryKey: ["workbench"] });
  };
  return {
    read: useMutation({ mutationFn: () => call(api.POST("/api/v1/notices/{notice_id}/read", path)), onSuccess: mine, meta: { silent: true } }),
    confirm: useMutation({ mutationFn: () => call(api.POST("/api/v1/notices/{notice_id}/confirm", path)), onSuccess: mine }),
    recall: useMutation({
      mutationFn: () => call(api.POST("/api/v1/notices/{notice_id}/recall", path)),
      onSuccess: (n) => {
        qc.setQueryData(noticeKeys.one(id), n);
        refreshAuthor(qc, id);
      },
    }),
    ding: useMutation({
      mutationFn: (clientId: string) => call(api.POST("/api/v1/notices/{notice_id}/ding", { ...path, body: { client_id: clientId } })),
      meta: { silent: true },
      onSuccess: () => void qc.invalidateQueries({ queryKey: ["dings"] }),
    }),
  };
}

export function uploadNoticeFile(file: File): Promise<NoticeFile> {
  const form = new FormData();
  form.append("file", file, file.name);
  return postForm<NoticeFile>("/api/v1/notices/files", form);
}
