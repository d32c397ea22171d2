/**
 * Work reports' React Query hooks (docs/reports.md, "In the web client"). Keys under
 * ["reports"]: "templates" (mine or a unit's), "write" per template, "inbox" per box, "report"
 * and "comments" per report, "team" per template, unit and day. `report.received`,
 * `report.commented` and `report.read` invalidate what they change (ReportsLive).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/http";
import type { components } from "../../api/schema";
import type { Definition } from "../forms/model";

type S = components["schemas"];
export type ReportTemplate = Omit<S["ReportTemplateOut"], "definition"> & { definition: Definition };
export type ReportBuiltin = Omit<S["ReportBuiltinOut"], "definition"> & { definition: Definition };
export type WriteOut = Omit<S["ReportWriteOut"], "definition" | "template"> & { definition: Definition; template: ReportTemplate };
export type ReportOut = Omit<S["ReportOut"], "definition"> & { definition: Definition };
export type ReportItem = S["ReportItem"];
export type ReportIn = S["ReportIn"];
export type CommentOut = S["ReportCommentOut"];
export type TeamOut = S["ReportTeamOut"];
export type TemplateCreate = S["ReportTemplateCreate"];
export type TemplateUpdate = S["ReportTemplateUpdate"];

export const reportKeys = {
  all: ["reports"] as const,
  templates: (unit: number | null) => ["reports", "templates", unit] as const,
  builtins: ["reports", "builtins"] as const,
  write: (id: number) => ["reports", "write", id] as const,
  inbox: (box: "received" | "sent") => ["reports", "inbox", box] as const,
  report: (id: number) => ["reports", "report", id] as const,
  comments: (id: number) => ["reports", "comments", id] as const,
  team: (tpl: number, unit: number | null, day: string | null) => ["reports", "team", tpl, unit, day] as const,
};

export function useReportTemplates(unit: number | null = null) {
  return useQuery({
    queryKey: reportKeys.templates(unit),
    queryFn: async () =>
      (await call(api.GET("/api/v1/reports/templates", { params: { query: unit == null ? {} : { unit_id: unit } } }))) as unknown as ReportTemplate[],
  });
}

export function useReportBuiltins(enabled: boolean) {
  return useQuery({
    queryKey: reportKeys.builtins,
    enabled,
    queryFn: async () => (await call(api.GET("/api/v1/reports/builtins"))) as unknown as ReportBuiltin[],
  });
}

export function useWrite(id: number) {
  return useQuery({
    queryKey: reportKeys.write(id),
    queryFn: async () =>
      (await call(api.GET("/api/v1/reports/templates/{template_id}/write", { params: { path: { template_id: id } } }))) as unknown as WriteOut,
  });
}

export function useSubmitReport() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: ReportIn) => (await call(api.POST("/api/v1/reports", { body }))) as unknown as ReportOut,
    onSuccess: () => void qc.invalidateQueries({ queryKey: reportKeys.all }),
  });
}

export function useInbox(box: "received" | "sent") {
  return useQuery({
    queryKey: reportKeys.inbox(box),
    queryFn: () => call(api.GET("/api/v1/reports", { params: { query: { box } } })),
  });
}

export function useReport(id: number) {
  const qc = useQueryClient();
  return useQuery({
    queryKey: reportKeys.report(id),
    queryFn: async () => {
      const out = (await call(api.GET("/api/v1/reports/{report_id}", { params: { path: { report_id: id } } }))) as unknown as ReportOut;
      // Reading it moved the badge.
      void qc.invalidateQueries({ queryKey: ["reports", "inbox"] });
      void qc.invalidateQueries({ queryKey: ["workbench"] });
      return out;
    },
  });
}

export function useComments(id: number) {
  return useQuery({
    queryKey: reportKeys.comments(id),
    queryFn: () => call(api.GET("/api/v1/reports/{report_id}/comments", { params: { path: { report_id: id } } })),
  });
}

export function useAddComment(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: string) =>
      call(api.POST("/api/v1/reports/{report_id}/comments", { params: { path: { report_id: id } }, body: { body } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: reportKeys.comments(id) }),
  });
}

export function useTeam(tpl: number | null, unit: number | null, day: string | null) {
  return useQuery({
    queryKey: reportKeys.team(tpl ?? 0, unit, day),
    enabled: tpl != null,
    queryFn: () =>
      call(
        api.GET("/api/v1/reports/templates/{template_id}/team", {
          params: { path: { template_id: tpl! }, query: { ...(unit != null ? { unit_id: unit } : {}), ...(day ? { day } : {}) } },
        }),
      ),
  });
}

export function exportUrl(tpl: number, unit: number | null, day: string | null): string {
  const q = new URLSearchParams();
  if (unit != null) q.set("unit_id", String(unit));
  if (day) q.set("day", day);
  return `/api/v1/reports/templates/${tpl}/team/export?${q.toString()}`;
}

export function useCreateReportTemplate() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: TemplateCreate) => (await call(api.POST("/api/v1/reports/templates", { body }))) as unknown as ReportTemplate,
    onSuccess: () => void qc.invalidateQueries({ queryKey: ["reports", "templates"] }),
  });
}

export function useUpdateReportTemplate() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, body }: { id: number; body: TemplateUpdate }) =>
      (await call(api.PATCH("/api/v1/reports/templates/{template_id}", { params: { path: { template_id: id } }, body }))) as unknown as ReportTemplate,
    onSuccess: () => void qc.invalidateQueries({ queryKey: ["reports", "templates"] }),
  });
}
