/** One's devices that receive Web Push (GET/DELETE /api/v1/push/devices). */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/http";
import type { components } from "../../api/schema";

export type Device = components["schemas"]["DeviceOut"];

export const devicesKey = ["push", "devices"] as const;

export function useDevices() {
  return useQuery({ queryKey: devicesKey, queryFn: () => call(api.GET("/api/v1/push/devices")) });
}

export function useRemoveDevice() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => call(api.DELETE("/api/v1/push/devices/{device_id}", { params: { path: { device_id: id } } })),
    onSettled: () => void qc.invalidateQueries({ queryKey: devicesKey }),
  });
}
