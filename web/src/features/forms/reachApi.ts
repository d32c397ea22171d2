/**
 * The hooks of a collection's reminders and exports, and of abnormal cases and their responders
 * (docs/forms.md, "Reminders", "Export", "Abnormal answers"). Keys: ["forms", "reminders",
 * campaign, unit, day], ["forms", "cases", …], ["forms", "case-notes", id],
 * ["forms", "responders", unit].
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/http";
import type { components } from "../../api/schema";

type S = components["schemas"];
export type RemindOut = S["RemindOut"];
export type ExportOut = S["ExportOut"];
export type CaseOut = S["CaseOut"];
export type CaseNoteOut = S["CaseNoteOut"];
export type CaseState = "open" | "contacted" | "resolved";
export type RespondersOut = S["RespondersOut"];

export const reachKeys = {
  reminders: (campaign: number, unit: number | null, day: string) => ["forms", "reminders", campaign, unit, day] as const,
  cases: ["forms", "cases"] as const,
  caseList: (unit: number, state: CaseState | null, campaign: number | null) => ["forms", "cases", unit, state, campaign] as const,
  notes: (id: number) => ["forms", "case-notes", id] as const,
  responders: (unit: number) => ["forms", "responders", unit] as const,
};

/** The manual reminders of a day at a unit, newest first: when the last went and when the next may. */
export function useReminders(campaign: number, unit: number | null, day: string) {
  return useQuery({
    queryKey: reachKeys.reminders(campaign, unit, day),
    queryFn: () =>
      call(
        api.GET("/api/v1/forms/campaigns/{campaign_id}/reminders", {
          params: { path: { campaign_id: campaign }, query: { day, ...(unit != null ? { unit_id: unit } : {}) } },
        }),
      ),
  });
}

export function useRemind(campaign: number, unit: number | null, day: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (by: "app" | "ding") =>
      call(
        api.POST("/api/v1/forms/campaigns/{campaign_id}/reminders", {
          params: { path: { campaign_id: campaign } },
          body: { day, by, ...(unit != null ? { unit_id: unit } : {}) },
        }),
      ),
    meta: { silent: true },
    onSettled: () => void qc.invalidateQueries({ queryKey: reachKeys.reminders(campaign, unit, day) }),
  });
}

export interface ExportAsk {
  unit: number | null;
  start: string;
  end: string;
  format: "xlsx" | "csv";
}

export function useExport(campaign: number) {
  return useMutation({
    mutationFn: (ask: ExportAsk) =>
      call(
        api.POST("/api/v1/forms/campaigns/{campaign_id}/exports", {
          params: { path: { campaign_id: campaign } },
          body: { start: ask.start, end: ask.end, format: ask.format, ...(ask.unit != null ? { unit_id: ask.unit } : {}) },
        }),
      ),
    meta: { silent: true },
  });
}

export function fetchExport(id: number): Promise<ExportOut> {
  return call(api.GET("/api/v1/forms/exports/{export_id}", { params: { path: { export_id: id } } }));
}

export function useCases(unit: number | null, state: CaseState | null, campaign: number | null) {
  return useQuery({
    queryKey: reachKeys.caseList(unit ?? 0, state, campaign),
    enabled: unit != null,
    queryFn: () =>
      call(
        api.GET("/api/v1/forms/cases", {
          params: { query: { unit_id: unit!, ...(state ? { state } : {}), ...(campaign != null ? { campaign_id: campaign } : {}) } },
        }),
      ),
  });
}

export function useCaseNotes(id: number | null) {
  return useQuery({
    queryKey: reachKeys.notes(id ?? 0),
    enabled: id != null,
    queryFn: () => call(api.GET("/api/v1/forms/cases/{case_id}/notes", { params: { path: { case_id: id! } } })),
  });
}

export function useAddCaseNote(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { state?: CaseState | null; body: string }) =>
      call(api.POST("/api/v1/forms/cases/{case_id}/notes", { params: { path: { case_id: id } }, body })),
    meta: { silent: true },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: reachKeys.notes(id) });
      void qc.invalidateQueries({ queryKey: reachKeys.cases });
      void qc.invalidateQueries({ queryKey: ["workbench"] });
    },
  });
}

/** Who a unit tells of abnormal answers below it; for its heads (a 403 otherwise: `retry` off). */
export function useResponders(unit: number | null) {
  return useQuery({
    queryKey: reachKeys.responders(unit ?? 0),
    enabled: unit != null,
    retry: false,
    meta: { quiet: true },
    queryFn: () => call(api.GET("/api/v1/forms/units/{unit_id}/responders", { params: { path: { unit_id: unit! } } })),
  });
}

export function useSetResponders(unit: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (people: number[]) => call(api.PUT("/api/v1/forms/units/{unit_id}/responders", { params: { path: { unit_id: unit } }, body: { people } })),
    meta: { silent: true },
    onSuccess: (r) => qc.setQueryData(reachKeys.responders(unit), r),
  });
}
