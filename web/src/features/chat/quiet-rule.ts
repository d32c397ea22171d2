/**
 * The do-not-disturb rule (我 → 通知 → 免打扰), by itself: the page (alerts.ts) and the service
 * worker (web/sw/sw.js, bundled by web/sw/plugin.js) both judge the window by it, so this module
 * imports nothing.
 */

/** One's do-not-disturb setting: on or off, and the window as "HH:MM" local times. */
export interface QuietHours {
  dnd: boolean;
  dnd_start: string;
  dnd_end: string;
}

/** Minutes since midnight of "HH:MM" (null if it is not one). */
export function minutesOf(hhmm: string): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  return h < 24 && min < 60 ? h * 60 + min : null;
}

/** Whether `now` (local time) falls in the do-not-disturb window: from start (included) to end;
 * past midnight when it ends earlier than it starts; never when start and end are the same. */
export function inQuietHours(p: QuietHours, now: Date): boolean {
  if (!p.dnd) return false;
  const start = minutesOf(p.dnd_start);
  const end = minutesOf(p.dnd_end);
  if (start == null || end == null || start === end) return false;
  const at = now.getHours() * 60 + now.getMinutes();
  return start < end ? at >= start && at < end : at >= start || at < end;
}
