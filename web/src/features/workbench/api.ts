import { useQuery } from "@tanstack/react-query";
import { api, call } from "../../api/http";
import type { components } from "../../api/schema";

export type Tile = components["schemas"]["TileOut"];

export const workbenchKey = ["workbench"] as const;

/** The person's tiles with their counts; fresh when the page is shown and every minute. */
export function useWorkbench() {
  return useQuery({
    queryKey: workbenchKey,
    queryFn: () => call(api.GET("/api/v1/workbench")),
    staleTime: 30_000,
    refetchInterval: 60_000,
    refetchOnWindowFocus: true,
  });
}
