/**
 * Approvals' React Query hooks (docs/approvals.md, "In the web client"). Keys under
 * ["approvals"]: "templates", "submit" per template and subject, "list" per box and filters,
 * "request" per id, "delegations". `approval.changed` invalidates the lists, the request it
 * names and the workbench (ApprovalsLive in each page).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call, postForm } from "../../api/http";
import type { components } from "../../api/schema";
import type { Definition } from "../forms/model";

type S = components["schemas"];
export type ApprovalTemplate = Omit<S["ApprovalTemplateOut"], "definition"> & { definition: Definition };
export type SubmitPage = Omit<S["ApprovalSubmitPage"], "template"> & { template: ApprovalTemplate };
export type ApprovalOut = Omit<S["ApprovalOut"], "definition"> & { definition: Definition };
export type ApprovalItem = S["ApprovalItem"];
export type ApprovalIn = S["ApprovalIn"];
export type ApprovalFile = S["ApprovalFileOut"];
export type Box = "waiting" | "mine" | "done" | "cc";
export type Status = S["ApprovalItem"]["status"];
export type Filters = { status?: Status | null; q?: string | null };

export const approvalKeys = {
  all: ["approvals"] as const,
  templates: ["approvals", "templates"] as const,
  submit: (id: number, subject: number | null) => ["approvals", "submit", id, subject] as const,
  list: (box: Box, f: Filters) => ["approvals", "list", box, f.status ?? null, f.q ?? null] as const,
  request: (id: number) => ["approvals", "request", id] as const,
  delegations: ["approvals", "delegations"] as const,
};

export function useApprovalTemplates() {
  return useQuery({
    queryKey: approvalKeys.templates,
    queryFn: async () => (await call(api.GET("/api/v1/approvals/templates", {}))) as unknown as ApprovalTemplate[],
  });
}

export function useSubmitPage(id: number, subject: number | null) {
  return useQuery({
    queryKey: approvalKeys.submit(id, subject),
    queryFn: async () =>
      (await call(
        api.GET("/api/v1/approvals/templates/{template_id}/submit", {
          params: { path: { template_id: id }, query: subject != null ? { subject_id: subject } : {} },
        }),
      )) as unknown as SubmitPage,
  });
}

export function useSubmitApproval() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: ApprovalIn) => (await call(api.POST("/api/v1/approvals", { body }))) as unknown as ApprovalOut,
    onSuccess: () => void qc.invalidateQueries({ queryKey: approvalKeys.all }),
  });
}

export function useApprovalList(box: Box, f: Filters) {
  return useQuery({
    queryKey: approvalKeys.list(box, f),
    queryFn: () =>
      call(
        api.GET("/api/v1/approvals", {
          params: { query: { box, ...(f.status ? { status: f.status } : {}), ...(f.q ? { q: f.q } : {}) } },
        }),
      ),
  });
}

export function exportUrl(box: Box, f: Filters): string {
  const q = new URLSearchParams({ box });
  if (f.status) q.set("status", f.status);
  if (f.q) q.set("q", f.q);
  return `/api/v1/approvals/export?${q.toString()}`;
}

export function useApproval(id: number) {
  return useQuery({
    queryKey: approvalKeys.request(id),
    queryFn: async () =>
      (await call(api.GET("/api/v1/approvals/{request_id}", { params: { path: { request_id: id } } }))) as unknown as ApprovalOut,
  });
}

export type Action =
  | { kind: "approve" | "reject" | "return"; comment: string }
  | { kind: "transfer"; to: number; comment: string }
  | { kind: "add"; person: number; comment: string }
  | { kind: "withdraw" }
  | { kind: "comment"; body: string; files: number[] }
  | { kind: "resubmit"; answers: Record<string, unknown> };

export function useAct(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (a: Action) => {
      const path = { params: { path: { request_id: id } } };
      let out: unknown;
      if (a.kind === "approve" || a.kind === "reject" || a.kind === "return") {
        const body = { comment: a.comment };
        if (a.kind === "approve") out = await call(api.POST("/api/v1/approvals/{request_id}/approve", { ...path, body }));
        else if (a.kind === "reject") out = await call(api.POST("/api/v1/approvals/{request_id}/reject", { ...path, body }));
        else out = await call(api.POST("/api/v1/approvals/{request_id}/return", { ...path, body }));
      }
      else if (a.kind === "transfer")
        out = await call(api.POST("/api/v1/approvals/{request_id}/transfer", { ...path, body: { to: a.to, comment: a.comment } }));
      else if (a.kind === "add")
        out = await call(api.POST("/api/v1/approvals/{request_id}/approvers", { ...path, body: { person_id: a.person, comment: a.comment } }));
      else if (a.kind === "withdraw") out = await call(api.POST("/api/v1/approvals/{request_id}/withdraw", path));
      else if (a.kind === "comment")
        out = await call(api.POST("/api/v1/approvals/{request_id}/comments", { ...path, body: { body: a.body, file_ids: a.files } }));
      else if (a.kind === "resubmit") out = await call(api.POST("/api/v1/approvals/{request_id}/resubmit", { ...path, body: { answers: a.answers } }));
      return out as ApprovalOut;
    },
    onSuccess: (out) => {
      qc.setQueryData(approvalKeys.request(id), out);
      void qc.invalidateQueries({ queryKey: ["approvals", "list"] });
      void qc.invalidateQueries({ queryKey: ["workbench"] });
    },
  });
}

export function uploadFile(id: number, file: File): Promise<ApprovalFile> {
  const form = new FormData();
  form.append("file", file);
  return postForm<ApprovalFile>(`/api/v1/approvals/${id}/files`, form);
}

export function useDelegations() {
  return useQuery({
    queryKey: approvalKeys.delegations,
    queryFn: () => call(api.GET("/api/v1/approvals/delegations", {})),
  });
}

export function useDelegate() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: S["DelegationIn"]) => call(api.POST("/api/v1/approvals/delegations", { body })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: approvalKeys.delegations }),
  });
}

export function useCancelDelegation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => call(api.DELETE("/api/v1/approvals/delegations/{delegation_id}", { params: { path: { delegation_id: id } } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: approvalKeys.delegations }),
  });
}

/** Refetches what an `approval.changed` event moves. */
export function useApprovalsLive(): (ev: { request_id: number }) => void {
  const qc = useQueryClient();
  return (ev) => {
    void qc.invalidateQueries({ queryKey: ["approvals", "list"] });
    void qc.invalidateQueries({ queryKey: approvalKeys.request(ev.request_id) });
    void qc.invalidateQueries({ queryKey: ["workbench"] });
  };
}

export type Flow = S["FlowSpec"];
export type ApprovalBuiltin = S["ApprovalBuiltinOut"];

export function useUnitTemplates(unit: number | null) {
  return useQuery({
    queryKey: ["approvals", "templates", unit] as const,
    enabled: unit != null,
    queryFn: async () =>
      (await call(api.GET("/api/v1/approvals/templates", { params: { query: { unit_id: unit! } } }))) as unknown as ApprovalTemplate[],
  });
}

export function useApprovalBuiltins(enabled: boolean) {
  return useQuery({
    queryKey: ["approvals", "builtins"] as const,
    enabled,
    queryFn: () => call(api.GET("/api/v1/approvals/builtins", {})),
  });
}

export function useCreateApprovalTemplate() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: S["ApprovalTemplateCreate"]) =>
      (await call(api.POST("/api/v1/approvals/templates", { body }))) as unknown as ApprovalTemplate,
    onSuccess: () => void qc.invalidateQueries({ queryKey: approvalKeys.templates }),
  });
}

export function useUpdateFlow() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, flow }: { id: number; flow: Flow }) =>
      (await call(api.PUT("/api/v1/approvals/templates/{template_id}/flow", { params: { path: { template_id: id } }, body: { flow } }))) as unknown as ApprovalTemplate,
    onSuccess: () => void qc.invalidateQueries({ queryKey: approvalKeys.templates }),
  });
}
