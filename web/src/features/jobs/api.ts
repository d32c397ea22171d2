/** React Query hooks of the admin Jobs page. Keys: ["jobs", state, kind], ["jobs", "counts"]. */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/http";
import type { components } from "../../api/schema";

export type JobOut = components["schemas"]["JobOut"];
export type JobState = JobOut["state"];
export const JOB_STATES: JobState[] = ["queued", "running", "done", "dead"];

const REFRESH_MS = 10_000;

export function useJobs(state: JobState | null, kind: string | null) {
  return useInfiniteQuery({
    queryKey: ["jobs", state, kind],
    queryFn: ({ pageParam }) =>
      call(
        api.GET("/api/v1/jobs", {
          params: {
            query: {
              state: state ?? undefined,
              kind: kind ?? undefined,
              cursor: pageParam ?? undefined,
              limit: 50,
            },
          },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? null,
    refetchInterval: REFRESH_MS,
  });
}

export function useJobCounts() {
  return useQuery({
    queryKey: ["jobs", "counts"],
    queryFn: () => call(api.GET("/api/v1/jobs/counts")),
    refetchInterval: REFRESH_MS,
  });
}

export function useRetryJob() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) =>
      call(api.POST("/api/v1/jobs/{job_id}/retry", { params: { path: { job_id: id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["jobs"] }),
  });
}
