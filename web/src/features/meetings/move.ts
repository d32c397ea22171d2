/**
 * Moving a scheduled meeting (PATCH /api/v1/meetings/{id}): who may, and the time between the
 * phone's own date-time picker (`<input type="datetime-local">`, local time to the minute) and
 * the API (an ISO time with its zone). Whether the time is ahead is the server's to say
 * (422 `meeting_time_past`): the page shows its answer.
 */
import dayjs from "dayjs";

/** The host may move a meeting until it starts. */
export function mayMove(m: { is_host: boolean; state: string }): boolean {
  return m.is_host && m.state === "scheduled";
}

/** A datetime-local input's value for `iso` (this device's time, to the minute); "" for none. */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return "";
  const at = dayjs(iso);
  return at.isValid() ? at.format("YYYY-MM-DDTHH:mm") : "";
}

/** The time a datetime-local value means, as the API takes it (UTC, to the minute); null when empty or not a time. */
export function fromLocalInput(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return null;
  const at = dayjs(value);
  return at.isValid() ? at.second(0).millisecond(0).toISOString() : null;
}
