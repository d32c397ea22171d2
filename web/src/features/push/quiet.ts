/**
 * One's do-not-disturb window (我 → 通知), where the service worker finds it when a push comes:
 * it can ask neither the page (there may be none open) nor the server then. The worker shows
 * a push that arrives inside the window without sound or vibration (a DING still rings: it
 * must be confirmed), by the page's own rule (`inQuietHours`, features/chat/quiet-rule.ts) on
 * the device's clock. The cache is the worker's and the page's shared storage; its name is not
 * one of the app shell's, which a new worker clears (`bellwork-…`). The worker (web/sw/sw.js)
 * imports QUIET_CACHE and QUIET_KEY from here: keep this module's imports type-only.
 */
import type { Preferences } from "../chat/preferences";

export const QUIET_CACHE = "bw-quiet-hours";
export const QUIET_KEY = "/__bw/quiet-hours";

export async function shareQuietHours(p: Pick<Preferences, "dnd" | "dnd_start" | "dnd_end">): Promise<void> {
  if (typeof caches === "undefined") return;
  const cache = await caches.open(QUIET_CACHE);
  const body = JSON.stringify({ dnd: p.dnd, dnd_start: p.dnd_start, dnd_end: p.dnd_end });
  await cache.put(QUIET_KEY, new Response(body, { headers: { "content-type": "application/json" } }));
}

/** Logging out: the next person on this browser starts without one's window. */
export async function forgetQuietHours(): Promise<void> {
  if (typeof caches !== "undefined") await caches.delete(QUIET_CACHE);
}
