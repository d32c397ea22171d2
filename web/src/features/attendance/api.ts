/**
 * Attendance and the health pass's React Query hooks (docs/attendance.md, "In the web client").
 * Keys under ["attendance"]: "today", "subjects", "pass" per subject, "month" per unit and month,
 * "mine" per month.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/http";
import type { components } from "../../api/schema";

type S = components["schemas"];
export type TodayOut = S["TodayOut"];
export type PunchIn = S["PunchIn"];
export type PunchOut = S["PunchOut"];
export type PassOut = S["PassOut"];
export type GateOut = S["GateOut"];
export type MonthOut = S["MonthOut"];
export type MyMonthOut = S["MyMonthOut"];
export type Status = TodayOut["status"];

export const attendanceKeys = {
  today: ["attendance", "today"] as const,
  subjects: ["attendance", "subjects"] as const,
  pass: (subject: number | null) => ["attendance", "pass", subject] as const,
  month: (unit: number | null, month: string) => ["attendance", "month", unit, month] as const,
  mine: (month: string) => ["attendance", "mine", month] as const,
};

export function useToday() {
  return useQuery({ queryKey: attendanceKeys.today, queryFn: () => call(api.GET("/api/v1/attendance/today")) });
}

export function usePunch() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: PunchIn) => call(api.POST("/api/v1/attendance/punches", { body })),
    meta: { silent: true },
    onSuccess: () => void qc.invalidateQueries({ queryKey: attendanceKeys.today }),
  });
}

export function usePassSubjects() {
  return useQuery({ queryKey: attendanceKeys.subjects, queryFn: () => call(api.GET("/api/v1/attendance/pass/subjects")) });
}

/** A fresh code every `refresh_seconds` (the server says how often). */
export function usePass(subject: number | null) {
  return useQuery({
    queryKey: attendanceKeys.pass(subject),
    queryFn: () => call(api.GET("/api/v1/attendance/pass", { params: { query: subject == null ? {} : { subject_id: subject } } })),
    refetchInterval: (q) => (q.state.data?.refresh_seconds ?? 20) * 1000,
    refetchIntervalInBackground: false,
    gcTime: 0,
  });
}

export function useGate() {
  return useMutation({
    mutationFn: (code: string) => call(api.POST("/api/v1/attendance/gate", { body: { code } })),
    meta: { silent: true },
  });
}

export function useMonth(unit: number | null, month: string) {
  return useQuery({
    queryKey: attendanceKeys.month(unit, month),
    enabled: unit != null,
    queryFn: () =>
      call(api.GET("/api/v1/attendance/units/{unit_id}/month", { params: { path: { unit_id: unit ?? 0 }, query: { month } } })),
  });
}

/** My own month: each day up to today, and later days on approved leave. */
export function useMyMonth(month: string) {
  return useQuery({
    queryKey: attendanceKeys.mine(month),
    queryFn: () => call(api.GET("/api/v1/attendance/me/month", { params: { query: { month } } })),
  });
}

export function exportUrl(unit: number, month: string): string {
  return `/api/v1/attendance/units/${unit}/month/export?month=${encodeURIComponent(month)}`;
}

export const STATUS_COLOR: Record<Status, string> = {
  rest: "default",
  normal: "green",
  late: "orange",
  early: "orange",
  late_early: "red",
  no_out: "gold",
  absent: "red",
  leave: "blue",
  pending: "default",
};

export const PASS_COLOR: Record<PassOut["colour"], string> = { green: "#389e0d", yellow: "#d4b106", red: "#cf1322" };
