/** A unit's settings (GET/PUT /api/v1/units/{id}/settings). Key: ["units", "settings", id]. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/http";
import type { components } from "../../api/schema";

export type UnitSettingsOut = components["schemas"]["UnitSettingsOut"];
export type UnitSettingsValues = components["schemas"]["UnitSettingsValues"];
export type UnitSettingsUpdate = components["schemas"]["UnitSettingsUpdate"];
export type EscalationPolicy = components["schemas"]["EscalationPolicy"];
export type EscalationChannel = EscalationPolicy["channels"][number];
export type SettingName = keyof UnitSettingsValues;

export const SETTING_NAMES: SettingName[] = [
  "time_zone",
  "ding_senders",
  "sms_quota_month",
  "voice_quota_month",
  "ding_escalation",
  "form_retention_days",
  "form_names_above_school",
];

const key = (id: number) => ["units", "settings", id] as const;

export function useUnitSettings(id: number) {
  return useQuery({
    queryKey: key(id),
    queryFn: () => call(api.GET("/api/v1/units/{unit_id}/settings", { params: { path: { unit_id: id } } })),
  });
}

export function useSaveUnitSettings(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: UnitSettingsUpdate) => call(api.PUT("/api/v1/units/{unit_id}/settings", { params: { path: { unit_id: id } }, body })),
    meta: { silent: true },
    onSuccess: (data) => {
      qc.setQueryData(key(id), data);
      void qc.invalidateQueries({ queryKey: ["units", "settings"] });
      void qc.invalidateQueries({ queryKey: ["workbench"] });
    },
  });
}
