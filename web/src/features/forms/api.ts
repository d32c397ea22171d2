/**
 * Forms' React Query hooks (docs/forms.md, "In the web client"). Keys: ["forms", "todo"],
 * ["forms", "fill", campaign, subject], ["forms", "templates", unit], ["forms", "template", id],
 * ["forms", "builtins"], ["forms", "campaigns", unit], ["forms", "campaign", id] and
 * ["forms", "stats", campaign, …] for a campaign's figures (refetched live on `form.counted`),
 * ["forms", "entry", campaign, unit] for what a form's card in a unit group opens.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call, postFormWithProgress } from "../../api/http";
import type { components } from "../../api/schema";
import type { Definition } from "./model";

type S = components["schemas"];
export type TodoItem = S["TodoItem"];
export type FillOut = Omit<S["FillOut"], "definition"> & { definition: Definition };
export type SubmissionOut = S["SubmissionOut"];
export type SubmissionIn = S["SubmissionIn"];
export type TemplateOut = Omit<S["TemplateOut"], "definition"> & { definition: Definition };
export type BuiltinOut = Omit<S["BuiltinOut"], "definition"> & { definition: Definition };
export type CampaignOut = S["CampaignOut"];
export type CampaignCreate = S["CampaignCreate"];
export type AudienceRole = S["CampaignUnit"]["roles"][number];
export type StatsOut = S["StatsOut"];
export type Figures = S["Figures"];
export type QuestionCounts = S["QuestionCounts"];
export type TrendDay = S["TrendDay"];
export type PersonStatus = S["PersonStatus"];
export type FormFileOut = S["FormFileOut"];

/** A photo or file for question `field` of the form being filled for `subject`; named in the
 * answer by its id when submitting. `onProgress` gets 0–1 as the bytes go. */
export function uploadFormFile(
  campaign: number,
  subject: number,
  field: string,
  version: number,
  file: File,
  onProgress: (done: number) => void,
  signal?: AbortSignal,
): Promise<FormFileOut> {
  const form = new FormData();
  form.append("subject_id", String(subject));
  form.append("field", field);
  form.append("version", String(version));
  form.append("file", file, file.name);
  return postFormWithProgress<FormFileOut>(`/api/v1/forms/campaigns/${campaign}/files`, form, onProgress, signal);
}
export type EntryOut = S["EntryOut"];

export const formKeys = {
  all: ["forms"] as const,
  todo: ["forms", "todo"] as const,
  fill: (campaign: number, subject: number) => ["forms", "fill", campaign, subject] as const,
  builtins: ["forms", "builtins"] as const,
  templates: (unit: number) => ["forms", "templates", unit] as const,
  template: (id: number) => ["forms", "template", id] as const,
  campaigns: (unit: number) => ["forms", "campaigns", unit] as const,
  campaign: (id: number) => ["forms", "campaign", id] as const,
  stats: (campaign: number) => ["forms", "stats", campaign] as const,
};

export function useTodo() {
  return useQuery({
    queryKey: formKeys.todo,
    queryFn: () => call(api.GET("/api/v1/forms/todo")),
    refetchOnWindowFocus: true,
  });
}

export function useFill(campaign: number, subject: number) {
  return useQuery({
    queryKey: formKeys.fill(campaign, subject),
    queryFn: async () =>
      (await call(
        api.GET("/api/v1/forms/campaigns/{campaign_id}/fill", {
          params: { path: { campaign_id: campaign }, query: { subject_id: subject } },
        }),
      )) as unknown as FillOut,
    // What is on screen is being filled in: no refetch behind the filler's back.
    refetchOnWindowFocus: false,
    staleTime: Infinity,
  });
}

export function useSubmit(campaign: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: SubmissionIn) =>
      call(api.POST("/api/v1/forms/campaigns/{campaign_id}/submissions", { params: { path: { campaign_id: campaign } }, body })),
    meta: { silent: true },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: formKeys.todo });
      void qc.invalidateQueries({ queryKey: ["workbench"] });
    },
  });
}

export function useBuiltins(enabled = true) {
  return useQuery({
    queryKey: formKeys.builtins,
    queryFn: async () => (await call(api.GET("/api/v1/forms/builtins"))) as unknown as BuiltinOut[],
    staleTime: Infinity,
    enabled,
  });
}

export function useTemplates(unit: number | null) {
  return useQuery({
    queryKey: formKeys.templates(unit ?? 0),
    queryFn: async () => (await call(api.GET("/api/v1/forms/templates", { params: { query: { unit_id: unit! } } }))) as unknown as TemplateOut[],
    enabled: unit != null,
  });
}

/** A template; its statistics page asks for it for the labels only (and works without them). */
export function useTemplate(id: number | null) {
  return useQuery({
    queryKey: formKeys.template(id ?? 0),
    enabled: id != null,
    meta: { quiet404: true },
    queryFn: async () =>
      (await call(api.GET("/api/v1/forms/templates/{template_id}", { params: { path: { template_id: id! } } }))) as unknown as TemplateOut,
    refetchOnWindowFocus: false,
  });
}

export interface TemplateCreate {
  unit_id: number;
  name: string;
  builtin?: string | null;
  base_id?: number | null;
  definition?: Definition | null;
}

export function useCreateTemplate() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: TemplateCreate) =>
      (await call(api.POST("/api/v1/forms/templates", { body: body as unknown as S["TemplateCreate"] }))) as unknown as TemplateOut,
    meta: { silent: true },
    onSuccess: (t) => void qc.invalidateQueries({ queryKey: formKeys.templates(t.unit_id) }),
  });
}

export function useSaveTemplate(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: { name?: string; definition?: Definition }) =>
      (await call(
        api.PUT("/api/v1/forms/templates/{template_id}", {
          params: { path: { template_id: id } },
          body: body as unknown as S["TemplateUpdate"],
        }),
      )) as unknown as TemplateOut,
    meta: { silent: true },
    onSuccess: (t) => {
      qc.setQueryData(formKeys.template(id), t);
      void qc.invalidateQueries({ queryKey: formKeys.templates(t.unit_id) });
    },
  });
}

export function useArchiveTemplate() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (t: TemplateOut) => call(api.DELETE("/api/v1/forms/templates/{template_id}", { params: { path: { template_id: t.id } } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ["forms", "templates"] }),
  });
}

export function useCampaigns(unit: number | null) {
  return useQuery({
    queryKey: formKeys.campaigns(unit ?? 0),
    queryFn: () => call(api.GET("/api/v1/forms/campaigns", { params: { query: { unit_id: unit! } } })),
    enabled: unit != null,
  });
}

export function useCampaign(id: number) {
  return useQuery({
    queryKey: formKeys.campaign(id),
    queryFn: () => call(api.GET("/api/v1/forms/campaigns/{campaign_id}", { params: { path: { campaign_id: id } } })),
  });
}

export function useCreateCampaign() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CampaignCreate) => call(api.POST("/api/v1/forms/campaigns", { body })),
    meta: { silent: true },
    onSuccess: (c) => {
      void qc.invalidateQueries({ queryKey: formKeys.campaigns(c.unit_id) });
      void qc.invalidateQueries({ queryKey: formKeys.todo });
      void qc.invalidateQueries({ queryKey: ["workbench"] });
    },
  });
}

export function useCloseCampaign(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => call(api.POST("/api/v1/forms/campaigns/{campaign_id}/close", { params: { path: { campaign_id: id } } })),
    onSuccess: (c) => {
      qc.setQueryData(formKeys.campaign(id), c);
      void qc.invalidateQueries({ queryKey: formKeys.campaigns(c.unit_id) });
    },
  });
}

/** The figures of a unit's day (the campaign's own unit when `unit` is null). */
export function useStats(campaign: number, unit: number | null, day: string) {
  const query = { day, ...(unit != null ? { unit_id: unit } : {}) };
  const path = { campaign_id: campaign };
  const stats = useQuery({
    queryKey: [...formKeys.stats(campaign), "summary", unit, day],
    queryFn: () => call(api.GET("/api/v1/forms/campaigns/{campaign_id}/stats", { params: { path, query } })),
    placeholderData: keepPreviousData,
  });
  const answers = useQuery({
    queryKey: [...formKeys.stats(campaign), "answers", unit, day],
    queryFn: () => call(api.GET("/api/v1/forms/campaigns/{campaign_id}/answers", { params: { path, query } })),
    placeholderData: keepPreviousData,
  });
  return { stats, answers };
}

export function useTrend(campaign: number, unit: number | null, start: string, end: string) {
  return useQuery({
    queryKey: [...formKeys.stats(campaign), "trend", unit, start, end],
    queryFn: () =>
      call(
        api.GET("/api/v1/forms/campaigns/{campaign_id}/trend", {
          params: { path: { campaign_id: campaign }, query: { start, end, ...(unit != null ? { unit_id: unit } : {}) } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

export function usePeople(campaign: number, unit: number | null, day: string, enabled: boolean) {
  return useQuery({
    queryKey: [...formKeys.stats(campaign), "people", unit, day],
    queryFn: () =>
      call(
        api.GET("/api/v1/forms/campaigns/{campaign_id}/people", {
          params: { path: { campaign_id: campaign }, query: { day, ...(unit != null ? { unit_id: unit } : {}) } },
        }),
      ),
    enabled,
    placeholderData: keepPreviousData,
  });
}

/** What a form's card in a unit group opens for the reader (forms/cards.py `entry`). */
export function useEntry(campaign: number, unit: number, enabled: boolean) {
  return useQuery({
    queryKey: ["forms", "entry", campaign, unit] as const,
    queryFn: () =>
      call(api.GET("/api/v1/forms/campaigns/{campaign_id}/entry", { params: { path: { campaign_id: campaign }, query: { unit_id: unit } } })),
    enabled,
    meta: { quiet404: true },
  });
}

/** A school's copy of a bureau's campaign switched to the bureau's template or one made from it. */
export function useSwitchTemplate(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (templateId: number) =>
      call(api.PUT("/api/v1/forms/campaigns/{campaign_id}/template", { params: { path: { campaign_id: id } }, body: { template_id: templateId } })),
    meta: { silent: true },
    onSuccess: (c) => {
      qc.setQueryData(formKeys.campaign(id), c);
      void qc.invalidateQueries({ queryKey: formKeys.campaigns(c.unit_id) });
    },
  });
}
