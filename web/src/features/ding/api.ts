/**
 * DING's React Query hooks. Keys: ["dings", "sent"] (one's sent DINGs), ["dings", "one", id]
 * (one's DING with its recipients), ["dings", "pending"] (the cards one has to confirm).
 */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call, postForm } from "../../api/http";
import type { components } from "../../api/schema";

export type DingOut = components["schemas"]["DingOut"];
export type DingDetail = components["schemas"]["DingDetail"];
export type DingAlert = components["schemas"]["DingAlert"];
export type DingCreate = components["schemas"]["DingCreate"];
export type AudienceRole = components["schemas"]["UnitAudience"]["roles"][number];
export type DingChannel = NonNullable<DingCreate["channels"]>[number];
export type DingReport = components["schemas"]["DingReport"];
export type ReportEntry = components["schemas"]["ReportEntry"];
export type DingFile = components["schemas"]["DingFileOut"];

export const dingKeys = {
  all: ["dings"] as const,
  sent: ["dings", "sent"] as const,
  one: (id: number) => ["dings", "one", id] as const,
  pending: ["dings", "pending"] as const,
};

export function useSentDings() {
  return useInfiniteQuery({
    queryKey: dingKeys.sent,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      call(api.GET("/api/v1/dings", { params: { query: { limit: 30, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.next_cursor ?? null,
  });
}

export function useDing(id: number) {
  return useQuery({
    queryKey: dingKeys.one(id),
    queryFn: () => call(api.GET("/api/v1/dings/{ding_id}", { params: { path: { ding_id: id } } })),
  });
}

/** The delivery report; under the DING's key, so whatever refreshes the DING refreshes it. */
export function useDingReport(id: number) {
  return useQuery({
    queryKey: [...dingKeys.one(id), "report"] as const,
    queryFn: () => call(api.GET("/api/v1/dings/{ding_id}/report", { params: { path: { ding_id: id } } })),
  });
}

export const reportXlsxUrl = (id: number) => `/api/v1/dings/${id}/report.xlsx`;

export function usePendingDings(enabled: boolean) {
  return useQuery({
    queryKey: dingKeys.pending,
    queryFn: () => call(api.GET("/api/v1/dings/pending")),
    enabled,
    staleTime: Infinity,
  });
}

export function useSendDing() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: DingCreate) => call(api.POST("/api/v1/dings", { body })),
    meta: { silent: true },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: dingKeys.sent });
      void qc.invalidateQueries({ queryKey: ["workbench"] });
    },
  });
}

export function useDingActions(id: number) {
  const qc = useQueryClient();
  const done = (d: DingOut) => {
    qc.setQueryData<DingDetail>(dingKeys.one(id), (old) => (old ? { ...old, ...d } : old));
    void qc.invalidateQueries({ queryKey: dingKeys.one(id) });
    void qc.invalidateQueries({ queryKey: dingKeys.sent });
    void qc.invalidateQueries({ queryKey: ["workbench"] });
  };
  const path = { params: { path: { ding_id: id } } };
  const remind = useMutation({ mutationFn: () => call(api.POST("/api/v1/dings/{ding_id}/remind", path)), onSuccess: done });
  const recall = useMutation({ mutationFn: () => call(api.POST("/api/v1/dings/{ding_id}/recall", path)), onSuccess: done });
  return { remind, recall };
}

export function confirmDing(id: number) {
  return call(api.POST("/api/v1/dings/{ding_id}/confirm", { params: { path: { ding_id: id } } }));
}

/** A voice note or attachment for a DING being written; named in it by id when it is sent. */
export function uploadDingFile(file: File): Promise<DingFile> {
  const form = new FormData();
  form.append("file", file, file.name);
  return postForm<DingFile>("/api/v1/dings/files", form);
}
