/**
 * The audit log's queries. Keys: ["audit", locale, filters], ["audit", "actions", locale] — the
 * server words the entries in the request's language (the `bw_lang` cookie), so a language
 * switch asks again.
 */
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import type { Dayjs } from "dayjs";
import { api, call, raise } from "../../api/http";
import type { components } from "../../api/schema";

export type AuditOut = components["schemas"]["AuditOut"];
export type AuditRef = components["schemas"]["Ref"];
export type AuditChange = components["schemas"]["ChangeOut"];
export type AuditShown = components["schemas"]["Shown"];

export interface AuditFilters {
  actorId: number | null;
  actions: string[];
  /** Whole days in the reader's time zone, first and last included. */
  from: Dayjs | null;
  to: Dayjs | null;
  unitId: number | null;
}

export const NO_FILTERS: AuditFilters = { actorId: null, actions: [], from: null, to: null, unitId: null };

export function activeFilters(f: AuditFilters): number {
  return [f.actorId != null, f.actions.length > 0, f.from != null || f.to != null, f.unitId != null].filter(Boolean).length;
}

/** The reader's IANA time zone (the browser's). */
export function readerZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "Asia/Shanghai";
}

/**
 * The query parameters: days become moments — the start of the first day and the start of the
 * day after the last, in the reader's time zone, with their offsets (`since <= at < until`).
 */
export function auditQuery(f: AuditFilters) {
  return {
    actor_id: f.actorId ?? undefined,
    action: f.actions.length ? f.actions : undefined,
    since: f.from ? f.from.startOf("day").format() : undefined,
    until: f.to ? f.to.add(1, "day").startOf("day").format() : undefined,
    unit_id: f.unitId ?? undefined,
    tz: readerZone(),
  };
}

function filterKey(f: AuditFilters) {
  return [f.actorId, f.actions.join(","), f.from?.format("YYYY-MM-DD") ?? null, f.to?.format("YYYY-MM-DD") ?? null, f.unitId];
}

export function useAudit(f: AuditFilters, locale: string) {
  return useInfiniteQuery({
    queryKey: ["audit", locale, ...filterKey(f)],
    queryFn: ({ pageParam }) =>
      call(api.GET("/api/v1/audit", { params: { query: { ...auditQuery(f), cursor: pageParam ?? undefined, limit: 50 } } })),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? null,
  });
}

export function useAuditActions(locale: string) {
  return useQuery({
    queryKey: ["audit", "actions", locale],
    queryFn: () => call(api.GET("/api/v1/audit/actions")),
    staleTime: Infinity,
  });
}

/** Downloads the filtered log as XLSX; a refusal (too many entries, a bad filter) throws ApiError. */
export async function downloadAudit(f: AuditFilters): Promise<void> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(auditQuery(f))) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) params.append(k, String(one));
  }
  let res: Response;
  try {
    res = await fetch(`/api/v1/audit/export?${params.toString()}`, { credentials: "same-origin" });
  } catch {
    raise(0, null, "Network error");
  }
  if (!res.ok) raise(res.status, await res.json().catch(() => null));
  const blob = await res.blob();
  const name = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? "bellwork-audit.xlsx";
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
