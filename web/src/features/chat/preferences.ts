/** One's notification preferences (GET/PATCH /api/v1/me/preferences), live across one's tabs. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/http";
import type { components } from "../../api/schema";
import { useEvent } from "../../realtime";

export type Preferences = components["schemas"]["PreferencesOut"];
export type PreferencesPatch = components["schemas"]["PreferencesPatch"];

export const preferencesKey = ["preferences"] as const;

/** Until the server answers: what it answers for someone who never changed anything. */
export const DEFAULT_PREFERENCES: Preferences = {
  notifications: true,
  sound: true,
  dnd: false,
  dnd_start: "22:00",
  dnd_end: "07:00",
  push_ding: true,
  push_notice: true,
  push_mention: true,
  push_direct: true,
};

export function usePreferences(enabled = true) {
  return useQuery({
    queryKey: preferencesKey,
    queryFn: () => call(api.GET("/api/v1/me/preferences")),
    enabled,
    staleTime: Infinity,
  });
}

export function useUpdatePreferences() {
  const qc = useQueryClient();
  return useMutation({
    // The server takes any of the fields (those left out keep their values); the generated
    // type marks the ones with a default as required.
    mutationFn: (body: Partial<PreferencesPatch>) => call(api.PATCH("/api/v1/me/preferences", { body: body as PreferencesPatch })),
    meta: { silent: true },
    onSuccess: (p) => qc.setQueryData(preferencesKey, p),
  });
}

/** Keeps the cached preferences as the server has them: changed in another tab, or reconnected. */
export function usePreferencesLive() {
  const qc = useQueryClient();
  useEvent("preferences.updated", (ev) => qc.setQueryData(preferencesKey, ev.preferences));
  useEvent("hello", () => void qc.invalidateQueries({ queryKey: preferencesKey }));
}
