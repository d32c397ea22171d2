/**
 * 扫码入群: a group's QR code / link, joining by it, and the requests its owner and admins
 * decide. Live: `join.requested` and `join.decided` refetch the requests.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../../api/http";
import type { components } from "../../../api/schema";
import { useEvent } from "../../../realtime";
import { chatKeys } from "../live";

export type Invite = components["schemas"]["InviteOut"];
export type InvitePreview = components["schemas"]["InvitePreview"];
export type JoinMode = components["schemas"]["JoinMode"];

export const inviteKeys = {
  invite: (id: number) => ["chat", "invite", id] as const,
  requests: (id: number) => ["chat", "join-requests", id] as const,
  preview: (code: string) => ["chat", "invite-preview", code] as const,
};

const path = (id: number) => ({ params: { path: { conversation_id: id } } });

/** The link a QR code carries: this site's /join/<code>. */
export function joinUrl(code: string): string {
  return `${window.location.origin}/join/${code}`;
}

export function useInvite(id: number, enabled: boolean) {
  return useQuery({
    queryKey: inviteKeys.invite(id),
    queryFn: () => call(api.GET("/api/v1/conversations/{conversation_id}/invite", path(id))),
    enabled,
    retry: false,
    staleTime: 60_000,
  });
}

export function useJoinRequests(id: number, enabled: boolean) {
  const qc = useQueryClient();
  const refresh = (ev: { conversation_id: number }) => {
    if (ev.conversation_id === id) void qc.invalidateQueries({ queryKey: inviteKeys.requests(id) });
  };
  useEvent("join.requested", refresh);
  useEvent("join.decided", refresh);
  return useQuery({
    queryKey: inviteKeys.requests(id),
    queryFn: () => call(api.GET("/api/v1/conversations/{conversation_id}/join-requests", path(id))),
    enabled,
    staleTime: 30_000,
  });
}

export function useInviteActions(id: number) {
  const qc = useQueryClient();
  const decide = (approve: boolean) => (request_id: number) =>
    call(
      approve
        ? api.POST("/api/v1/conversations/{conversation_id}/join-requests/{request_id}/approve", { params: { path: { conversation_id: id, request_id } } })
        : api.POST("/api/v1/conversations/{conversation_id}/join-requests/{request_id}/refuse", { params: { path: { conversation_id: id, request_id } } }),
    );
  const after = () => {
    void qc.invalidateQueries({ queryKey: inviteKeys.requests(id) });
    void qc.invalidateQueries({ queryKey: chatKeys.members(id) });
  };
  return {
    reset: useMutation({
      mutationFn: () => call(api.POST("/api/v1/conversations/{conversation_id}/invite/reset", path(id))),
      meta: { silent: true },
      onSuccess: (inv) => qc.setQueryData(inviteKeys.invite(id), inv),
    }),
    approve: useMutation({ mutationFn: decide(true), meta: { silent: true }, onSuccess: after }),
    refuse: useMutation({ mutationFn: decide(false), meta: { silent: true }, onSuccess: after }),
  };
}

export function useInvitePreview(code: string) {
  return useQuery({
    queryKey: inviteKeys.preview(code),
    queryFn: () => call(api.GET("/api/v1/invites/{code}", { params: { path: { code } } })),
    retry: false,
  });
}

export function useJoin(code: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => call(api.POST("/api/v1/invites/{code}/join", { params: { path: { code } } })),
    meta: { silent: true },
    onSuccess: () => void qc.invalidateQueries({ queryKey: inviteKeys.preview(code) }),
  });
}
