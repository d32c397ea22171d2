/* Bellwork's service worker (hand-written; docs/push.md says why no Workbox). The build
 * (web/sw/plugin.js) bundles it with what it imports from src/ into /sw.js, with __VERSION__
 * and __SHELL__ filled in: a new build is a new worker, which replaces the old one and its
 * caches.
 *
 * - Offline: the app shell (the entry's scripts and styles, the icons, the offline page) is
 *   cached when the worker installs; hashed /assets/ files are served from the cache first
 *   (their names change with their content); a page that cannot be fetched (no network, the
 *   server down) is answered with /offline.html, which reloads once the server answers.
 * - The API and the WebSocket never go through here (a static route sends /api/ straight to
 *   the network where the browser supports it; the fetch handler leaves them alone anyway).
 * - Web Push: `push` shows the notification its payload describes ({type, title, body, url,
 *   tag}); a DING's stays until it is acted on, vibrates and alerts again when reminded; a
 *   `close` push takes the tagged notification away (confirmed on another device, recalled).
 *   While a Bellwork page is visible and focused the page alerts by itself: nothing is shown.
 * - `notificationclick` focuses an open Bellwork window on the item's page, or opens one.
 */
import { inQuietHours } from "../src/features/chat/quiet-rule";
import { QUIET_CACHE, QUIET_KEY } from "../src/features/push/quiet";

const VERSION = __VERSION__;
const SHELL = __SHELL__;
const CACHE = `bellwork-${VERSION}`;
const STATIC = [
  "/offline.html",
  "/manifest.webmanifest",
  "/icons/icon-192.png",
  "/icons/icon-512.png",
  "/icons/badge-96.png",
];
const ICON = "/icons/icon-192.png";
const BADGE = "/icons/badge-96.png";

self.addEventListener("install", (event) => {
  if (event.addRoutes) {
    try {
      event.addRoutes([{ condition: { urlPattern: new URLPattern({ pathname: "/api/*" }) }, source: "network" }]);
    } catch {
      /* older browsers: the fetch handler below lets the API through */
    }
  }
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll([...STATIC, ...SHELL]))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("bellwork-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

async function fromCacheFirst(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  const answer = await fetch(request);
  if (answer.ok) void cache.put(request, answer.clone());
  return answer;
}

async function page(request) {
  try {
    return await fetch(request);
  } catch {
    const offline = await caches.match("/offline.html");
    return offline ?? new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    event.respondWith(page(request));
    return;
  }
  if (url.pathname.startsWith("/assets/") || url.pathname.startsWith("/icons/") || url.pathname === "/manifest.webmanifest") {
    event.respondWith(fromCacheFirst(request));
  }
});

// ---------------------------------------------------------------- Web Push

async function pageInFront() {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  return windows.some((w) => w.visibilityState === "visible" && w.focused);
}

async function onPush(data) {
  if (!data || !data.tag) return;
  if (data.type === "close") {
    const shown = await self.registration.getNotifications({ tag: data.tag });
    shown.forEach((n) => n.close());
    // Replaced by a quiet note rather than closed without a trace: browsers expect a push to
    // leave something visible unless a page of the site is in front.
    if (shown.length > 0 && !(await pageInFront())) {
      await self.registration.showNotification(data.title, {
        body: data.body,
        tag: data.tag,
        icon: ICON,
        badge: BADGE,
        silent: true,
        data: { url: data.url, type: "close" },
      });
    }
    return;
  }
  if (await pageInFront()) return; // the page shows its card or its own notification
  // A DING and a ringing call stay on screen and ring until dealt with.
  const ding = data.type === "ding" || data.type === "call";
  // Within one's do-not-disturb hours a push is shown without sound or vibration; a DING still
  // rings (it must be confirmed).
  const quiet = !ding && (await quietNow());
  await self.registration.showNotification(data.title, {
    body: data.body,
    tag: data.tag,
    icon: ICON,
    badge: BADGE,
    renotify: !quiet,
    silent: quiet,
    requireInteraction: ding,
    vibrate: quiet ? undefined : ding ? [400, 150, 400, 150, 800] : [150],
    timestamp: Date.now(),
    data: { url: data.url, type: data.type },
  });
}

// One's do-not-disturb window, as the page keeps it for the worker (src/features/push/quiet.ts),
// judged by the page's own rule (src/features/chat/quiet-rule.ts) on the device's clock.
async function quietNow() {
  try {
    const found = await (await caches.open(QUIET_CACHE)).match(QUIET_KEY);
    return found ? inQuietHours(await found.json(), new Date()) : false;
  } catch {
    return false;
  }
}

self.addEventListener("push", (event) => {
  let data = null;
  try {
    data = event.data ? event.data.json() : null;
  } catch {
    data = null;
  }
  event.waitUntil(onPush(data));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(event.notification.data?.url || "/", self.location.origin);
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const open = windows.find((w) => new URL(w.url).origin === target.origin);
      if (open) {
        await open.focus();
        // The page moves there itself (no reload): main.tsx listens for this.
        open.postMessage({ type: "bw-navigate", url: target.pathname + target.search });
        return;
      }
      await self.clients.openWindow(target.href);
    })(),
  );
});

// The browser replaced the subscription (rare; Firefox): send the new one to the server. The
// page does the same each time it starts, which covers browsers that never fire this.
self.addEventListener("pushsubscriptionchange", (event) => {
  const renew = async () => {
    const old = event.oldSubscription;
    const sub =
      event.newSubscription ??
      (old ? await self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: old.options.applicationServerKey }) : null);
    if (!sub || !self.cookieStore) return;
    const csrf = await self.cookieStore.get("bw_csrf");
    await fetch("/api/v1/push/subscriptions", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf ? csrf.value : "" },
      body: JSON.stringify({ ...sub.toJSON(), label: "" }),
    });
  };
  event.waitUntil(renew().catch(() => undefined));
});
