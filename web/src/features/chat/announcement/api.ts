/**
 * 群公告: a group's announcement (GET/PUT/DELETE /conversations/{id}/announcement), confirming it,
 * and who has and who has not. Live: `announcement.changed` (posted, replaced, removed) and
 * `announcement.confirmed` (to its author's and the confirmer's devices) refetch what they touch.
 */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../../api/http";
import type { components } from "../../../api/schema";
import { useEvent } from "../../../realtime";

export type Announcement = components["schemas"]["AnnouncementOut"];
export type AnnouncementState = components["schemas"]["AnnouncementState"];

export const announcementKeys = {
  all: ["chat", "announcement"] as const,
  of: (id: number) => ["chat", "announcement", id] as const,
  confirmations: (id: number, aid: number, confirmed: boolean) => ["chat", "announcement", id, aid, confirmed] as const,
};

const path = (id: number) => ({ params: { path: { conversation_id: id } } });

/** The group's announcement as I see it; `enabled` only for groups. */
export function useAnnouncement(id: number, enabled: boolean) {
  return useQuery({
    queryKey: announcementKeys.of(id),
    meta: { quiet404: true },
    queryFn: () => call(api.GET("/api/v1/conversations/{conversation_id}/announcement", path(id))),
    enabled,
    staleTime: Infinity,
  });
}

/** Keeps announcements up to date while the tab is open (mounted with the chat view). */
export function useAnnouncementLive() {
  const qc = useQueryClient();
  useEvent("announcement.changed", (ev) => void qc.invalidateQueries({ queryKey: announcementKeys.of(ev.conversation_id) }));
  useEvent("announcement.confirmed", (ev) => void qc.invalidateQueries({ queryKey: announcementKeys.of(ev.conversation_id) }));
  useEvent("hello", () => void qc.invalidateQueries({ queryKey: announcementKeys.all }));
}

export function useConfirmations(id: number, aid: number, confirmed: boolean, enabled: boolean) {
  return useInfiniteQuery({
    queryKey: announcementKeys.confirmations(id, aid, confirmed),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      call(
        api.GET("/api/v1/conversations/{conversation_id}/announcements/{announcement_id}/confirmations", {
          params: {
            path: { conversation_id: id, announcement_id: aid },
            query: { confirmed, limit: 100, ...(pageParam ? { cursor: pageParam } : {}) },
          },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? null,
    enabled,
  });
}

export function useAnnouncementActions(id: number) {
  const qc = useQueryClient();
  const put = (a: Announcement | null, canEdit: boolean) => qc.setQueryData<AnnouncementState>(announcementKeys.of(id), { announcement: a, can_edit: canEdit });
  return {
    publish: useMutation({
      mutationFn: (body: { body: string; confirm: boolean }) =>
        call(api.PUT("/api/v1/conversations/{conversation_id}/announcement", { ...path(id), body })),
      meta: { silent: true },
      onSuccess: (a) => put(a, a.can_edit),
    }),
    remove: useMutation({
      mutationFn: () => call(api.DELETE("/api/v1/conversations/{conversation_id}/announcement", path(id))),
      meta: { silent: true },
      onSuccess: () => put(null, true),
    }),
    confirm: useMutation({
      mutationFn: (aid: number) =>
        call(
          api.POST("/api/v1/conversations/{conversation_id}/announcements/{announcement_id}/confirm", {
            params: { path: { conversation_id: id, announcement_id: aid } },
          }),
        ),
      meta: { silent: true },
      onSuccess: (a) => put(a, a.can_edit),
    }),
  };
}
