/** React Query hooks per area. Keys: ["me"], ["units", ...], ["people", ...], ["person", id], ... */
import {
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type QueryClient,
} from "@tanstack/react-query";
import { ApiError, api, bumpAuthEpoch, call, postForm } from "./http";
import { clearDrafts } from "../features/chat/drafts";
import { clearOutbox } from "../features/chat/outbox";
import { forgetThisDevice } from "../features/push/device";
import { forgetQuietHours } from "../features/push/quiet";
import type {
  ImportColumns,
  ImportResult,
  Me,
  PersonCreate,
  PersonDetail,
  PersonUpdate,
  Role,
  TokenOut,
  UnitKind,
  UnitOut,
} from "./types";

// ---------------------------------------------------------------- auth

export function fetchMe(): Promise<Me | null> {
  return call(api.GET("/api/v1/auth/me")).catch((e: unknown) => {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  });
}

export function useMe() {
  return useQuery({ queryKey: ["me"], queryFn: fetchMe, staleTime: 60_000, retry: false });
}

export function useLogin() {
  const signedIn = useSignedIn();
  return useMutation({
    mutationFn: (body: { login: string; password: string }) =>
      call(api.POST("/api/v1/auth/login", { body })),
    meta: { silent: true },
    onSuccess: (out) => signedIn(out.person),
  });
}

/** Takes a session the server has handed out (password or QR login): who is now logged in. */
export function useSignedIn() {
  const qc = useQueryClient();
  return async (person: Me) => {
    bumpAuthEpoch(true);
    await qc.cancelQueries();
    qc.clear();
    qc.setQueryData(["me"], person);
  };
}

export function useLogout(everywhere: boolean) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      // Nothing more of this person's reaches this browser by Web Push (a shared computer).
      await forgetThisDevice();
      return call(api.POST(everywhere ? "/api/v1/auth/logout-all" : "/api/v1/auth/logout"));
    },
    onSettled: async () => {
      bumpAuthEpoch();
      clearDrafts();
      void clearOutbox();
      void forgetQuietHours().catch(() => undefined);
      await qc.cancelQueries();
      qc.clear();
      qc.setQueryData(["me"], null);
    },
  });
}

export function useChangePassword() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { current_password: string; new_password: string }) =>
      call(api.POST("/api/v1/auth/password", { body })),
    meta: { silent: true },
    onSuccess: (me) => {
      qc.setQueryData(["me"], me);
      void qc.invalidateQueries({ predicate: (q) => q.queryKey[0] !== "me" });
    },
  });
}

// ---------------------------------------------------------------- units

export const unitKeys = {
  roots: ["units", "roots"] as const,
  one: (id: number) => ["units", "one", id] as const,
  children: (id: number, archived = false) => ["units", "children", id, archived] as const,
  ancestors: (id: number) => ["units", "ancestors", id] as const,
};

export function fetchRoots() {
  return call(api.GET("/api/v1/units"));
}
export function fetchChildren(id: number, archived = false) {
  return call(
    api.GET("/api/v1/units/{unit_id}/children", {
      params: { path: { unit_id: id }, query: { include_archived: archived } },
    }),
  );
}

export function useRoots(enabled = true) {
  return useQuery({ queryKey: unitKeys.roots, queryFn: fetchRoots, enabled, staleTime: 30_000 });
}

export function useChildren(id: number | null, archived = false) {
  return useQuery({
    queryKey: unitKeys.children(id ?? 0, archived),
    queryFn: () => fetchChildren(id!, archived),
    enabled: id != null,
    staleTime: 30_000,
  });
}

export function useUnit(id: number | null) {
  return useQuery({
    queryKey: unitKeys.one(id ?? 0),
    queryFn: () => call(api.GET("/api/v1/units/{unit_id}", { params: { path: { unit_id: id! } } })),
    enabled: id != null,
  });
}

export function useAncestors(id: number | null) {
  return useQuery({
    queryKey: unitKeys.ancestors(id ?? 0),
    queryFn: () =>
      call(api.GET("/api/v1/units/{unit_id}/ancestors", { params: { path: { unit_id: id! } } })),
    enabled: id != null,
    staleTime: 30_000,
  });
}

/** After a unit change: the answer is the new state of that unit; everything else is re-read. */
function invalidateUnits(qc: QueryClient, unit?: UnitOut) {
  if (unit) qc.setQueryData(unitKeys.one(unit.id), unit);
  void qc.invalidateQueries({
    queryKey: ["units"],
    predicate: (q) => !(unit && q.queryKey[1] === "one" && q.queryKey[2] === unit.id),
  });
  void qc.invalidateQueries({ queryKey: ["people"] });
}

export function useUnitMutations() {
  const qc = useQueryClient();
  const done = { onSuccess: (unit: UnitOut) => invalidateUnits(qc, unit) };
  return {
    create: useMutation({
      mutationFn: (body: { parent_id: number | null; kind: UnitKind; name: string }) =>
        call(api.POST("/api/v1/units", { body })),
      meta: { silent: true },
      ...done,
    }),
    update: useMutation({
      mutationFn: ({ id, ...body }: { id: number; name?: string; kind?: UnitKind }) =>
        call(api.PATCH("/api/v1/units/{unit_id}", { params: { path: { unit_id: id } }, body })),
      meta: { silent: true },
      ...done,
    }),
    move: useMutation({
      mutationFn: ({ id, parent_id }: { id: number; parent_id: number | null }) =>
        call(
          api.POST("/api/v1/units/{unit_id}/move", {
            params: { path: { unit_id: id } },
            body: { parent_id },
          }),
        ),
      meta: { silent: true },
      ...done,
    }),
    archive: useMutation({
      mutationFn: (id: number) =>
        call(api.POST("/api/v1/units/{unit_id}/archive", { params: { path: { unit_id: id } } })),
      ...done,
    }),
    restore: useMutation({
      mutationFn: (id: number) =>
        call(api.POST("/api/v1/units/{unit_id}/restore", { params: { path: { unit_id: id } } })),
      ...done,
    }),
  };
}

// ---------------------------------------------------------------- people

export interface DirectoryFilter {
  q?: string;
  unitId?: number | null;
  subtree?: boolean;
  includeInactive?: boolean;
}

export function usePeople(f: DirectoryFilter, limit = 30) {
  return useInfiniteQuery({
    queryKey: ["people", "list", f.q ?? "", f.unitId ?? null, !!f.subtree, !!f.includeInactive, limit],
    queryFn: ({ pageParam }) =>
      call(
        api.GET("/api/v1/people", {
          params: {
            query: {
              q: f.q || undefined,
              unit_id: f.unitId ?? undefined,
              subtree: f.unitId ? !!f.subtree : undefined,
              include_inactive: f.includeInactive || undefined,
              cursor: pageParam ?? undefined,
              limit,
            },
          },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? null,
  });
}

export function usePerson(id: number | null) {
  return useQuery({
    queryKey: ["person", id],
    queryFn: () =>
      call(api.GET("/api/v1/people/{person_id}", { params: { path: { person_id: id! } } })),
    enabled: id != null,
  });
}

export function usePersonMutations(id: number) {
  const qc = useQueryClient();
  const path = { params: { path: { person_id: id } } };
  // The server's answer (or, for removals, the known result) is this person's new state.
  const patch = (fn: (d: PersonDetail) => PersonDetail): PersonDetail | undefined => {
    const d = qc.getQueryData<PersonDetail>(["person", id]);
    return d ? fn(d) : undefined;
  };
  const refresh = (detail?: PersonDetail) => {
    const fresh = !!detail && typeof detail === "object" && "id" in detail;
    if (fresh) qc.setQueryData(["person", id], detail);
    // The answer is this person's new state: re-read the others (and this one only if no answer).
    void qc.invalidateQueries({ queryKey: ["person"], predicate: (q) => !(fresh && q.queryKey[1] === id) });
    void qc.invalidateQueries({ queryKey: ["people"] });
    void qc.invalidateQueries({ queryKey: ["units"] });
  };
  return {
    update: useMutation({
      mutationFn: (body: PersonUpdate) =>
        call(api.PATCH("/api/v1/people/{person_id}", { ...path, body })),
      meta: { silent: true },
      onSuccess: refresh,
    }),
    deactivate: useMutation({
      mutationFn: () => call(api.POST("/api/v1/people/{person_id}/deactivate", path)),
      onSuccess: refresh,
    }),
    reactivate: useMutation({
      mutationFn: () => call(api.POST("/api/v1/people/{person_id}/reactivate", path)),
      onSuccess: refresh,
    }),
    resetPassword: useMutation({
      mutationFn: () => call(api.POST("/api/v1/people/{person_id}/reset-password", path)),
      onSuccess: () => refresh(),
    }),
    addMembership: useMutation({
      mutationFn: (body: { unit_id: number; role: Role; title?: string | null }) =>
        call(api.POST("/api/v1/people/{person_id}/memberships", { ...path, body })),
      meta: { silent: true },
      onSuccess: (m) => refresh(patch((d) => ({ ...d, memberships: [...d.memberships, m] }))),
    }),
    removeMembership: useMutation({
      mutationFn: (membershipId: number) =>
        call(
          api.DELETE("/api/v1/memberships/{membership_id}", {
            params: { path: { membership_id: membershipId } },
          }),
        ),
      onSuccess: (_r, mid) => refresh(patch((d) => ({ ...d, memberships: d.memberships.filter((m) => m.id !== mid) }))),
    }),
    linkGuardian: useMutation({
      mutationFn: (body: { guardian_id: number; relation?: string | null }) =>
        call(api.POST("/api/v1/people/{person_id}/guardians", { ...path, body })),
      meta: { silent: true },
      onSuccess: refresh,
    }),
    unlinkGuardian: useMutation({
      mutationFn: (guardianId: number) =>
        call(
          api.DELETE("/api/v1/people/{person_id}/guardians/{guardian_id}", {
            params: { path: { person_id: id, guardian_id: guardianId } },
          }),
        ),
      onSuccess: (_r, gid) => refresh(patch((d) => ({ ...d, guardians: d.guardians.filter((g) => g.id !== gid) }))),
    }),
  };
}

export function useCreatePerson() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: PersonCreate) => call(api.POST("/api/v1/people", { body })),
    meta: { silent: true },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ["people"] });
      void qc.invalidateQueries({ queryKey: ["units"] });
    },
  });
}

// ---------------------------------------------------------------- import

export function useImport() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: {
      file: File;
      kind: "roster" | "staff";
      unitId: number;
      dryRun: boolean;
      createSchools?: boolean;
      restoreLeadingZeros?: boolean;
      /** Heading → field, or null to ignore the column (the page's column step). */
      columns?: Record<string, string | null>;
    }) => {
      const form = new FormData();
      form.append("file", v.file);
      form.append("kind", v.kind);
      form.append("unit_id", String(v.unitId));
      form.append("dry_run", v.dryRun ? "true" : "false");
      form.append("create_schools", v.createSchools ? "true" : "false");
      form.append("restore_leading_zeros", v.restoreLeadingZeros ? "true" : "false");
      if (v.columns) form.append("columns", JSON.stringify(v.columns));
      return postForm<ImportResult>("/api/v1/imports", form);
    },
    meta: { silent: true },
    onSuccess: (r) => {
      if (r.applied) {
        void qc.invalidateQueries({ queryKey: ["people"] });
        void qc.invalidateQueries({ queryKey: ["units"] });
      }
    },
  });
}

/** What each column of a file would be imported as (remembered for the unit, or recognised). */
export function useImportColumns() {
  return useMutation({
    mutationFn: (v: { file: File; kind: "roster" | "staff"; unitId: number }) => {
      const form = new FormData();
      form.append("file", v.file);
      form.append("kind", v.kind);
      form.append("unit_id", String(v.unitId));
      return postForm<ImportColumns>("/api/v1/imports/columns", form);
    },
    meta: { silent: true },
  });
}

// ---------------------------------------------------------------- tokens, audit

export function useTokens() {
  return useQuery({ queryKey: ["tokens"], queryFn: () => call(api.GET("/api/v1/tokens")) });
}

export function useTokenMutations() {
  const qc = useQueryClient();
  // Only their owner changes tokens, so the answers are applied to the list without re-reading it.
  const update = (fn: (list: TokenOut[]) => TokenOut[]) =>
    qc.setQueryData<TokenOut[]>(["tokens"], (list) => fn(list ?? []));
  return {
    create: useMutation({
      mutationFn: (name: string) => call(api.POST("/api/v1/tokens", { body: { name } })),
      meta: { silent: true },
      onSuccess: (tok) => {
        const { token: _secret, ...shown } = tok;
        void _secret;
        update((list) => [shown, ...list.filter((t) => t.id !== tok.id)]);
      },
    }),
    revoke: useMutation({
      mutationFn: (id: number) =>
        call(api.DELETE("/api/v1/tokens/{token_id}", { params: { path: { token_id: id } } })),
      onSuccess: (_r, id) => update((list) => list.filter((t) => t.id !== id)),
    }),
  };
}

export type { UnitOut };
