/**
 * This browser as an installed app: its service worker (/sw.js, web/sw/sw.js) and its Web Push
 * subscription (docs/push.md).
 *
 * - The worker is registered in production builds only (`registerServiceWorker`, main.tsx):
 *   the dev server serves no /sw.js, and a worker caching dev modules would only get in the way.
 * - Pushes are turned on per device (`enablePush`: the browser asks for permission, subscribes
 *   with the server's VAPID key, the server keeps the subscription), and off (`disablePush`).
 *   Signing out forgets this device (`forgetThisDevice`): the next person on a shared computer
 *   gets nothing of the previous one's.
 * - Each start re-sends the subscription (`syncPush`): the server learns a browser's rotated
 *   subscription, the person now logged in, and the language to write in.
 */
import { useEffect } from "react";
import { api, call } from "../../api/http";

export function pushSupported(): boolean {
  return typeof window !== "undefined" && "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

/** Whether this build registers a service worker (production builds). */
export const WORKER_ENABLED = import.meta.env.PROD;

/** Moves the app to `url` without reloading (react-router follows history and popstate). */
function goTo(url: string) {
  if (window.location.pathname + window.location.search === url) return;
  window.history.pushState({}, "", url);
  window.dispatchEvent(new PopStateEvent("popstate"));
}

export function registerServiceWorker(): void {
  if (!WORKER_ENABLED || !("serviceWorker" in navigator)) return;
  navigator.serviceWorker.addEventListener("message", (ev: MessageEvent<{ type?: string; url?: string }>) => {
    if (ev.data?.type === "bw-navigate" && typeof ev.data.url === "string" && ev.data.url.startsWith("/")) goTo(ev.data.url);
  });
  const register = () => void navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => undefined);
  if (document.readyState === "complete") register();
  else window.addEventListener("load", register, { once: true });
}

async function registration(wait = 10_000): Promise<ServiceWorkerRegistration> {
  if (!("serviceWorker" in navigator)) throw new Error("no service worker");
  const found = await navigator.serviceWorker.getRegistration();
  if (found?.active) return found;
  return await Promise.race([
    navigator.serviceWorker.ready,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no service worker")), wait)),
  ]);
}

export async function currentSubscription(): Promise<PushSubscription | null> {
  if (!pushSupported()) return null;
  const reg = await navigator.serviceWorker.getRegistration();
  return (await reg?.pushManager.getSubscription()) ?? null;
}

/** The VAPID key (base64url) as the bytes `pushManager.subscribe` wants. */
export function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const b64 = (base64url + "=".repeat((4 - (base64url.length % 4)) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  const raw = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

function sameKey(sub: PushSubscription, key: Uint8Array): boolean {
  const had = sub.options.applicationServerKey;
  if (!had) return false;
  const a = new Uint8Array(had);
  return a.length === key.length && a.every((b, i) => b === key[i]);
}

/** "Chrome on Android": what the person sees in their list of devices. */
export function deviceLabel(ua = navigator.userAgent): string {
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /(OPR|Opera)\//.test(ua)
      ? "Opera"
      : /Firefox\//.test(ua)
        ? "Firefox"
        : /(Chrome|Chromium|CriOS)\//.test(ua)
          ? "Chrome"
          : /Safari\//.test(ua)
            ? "Safari"
            : "Browser";
  const os = /Android/.test(ua)
    ? "Android"
    : /(iPhone|iPad|iPod)/.test(ua)
      ? "iOS"
      : /Windows/.test(ua)
        ? "Windows"
        : /Mac OS X/.test(ua)
          ? "macOS"
          : /Linux/.test(ua)
            ? "Linux"
            : "";
  const installed = typeof window !== "undefined" && window.matchMedia?.("(display-mode: standalone)").matches ? " (app)" : "";
  return `${browser}${os ? ` on ${os}` : ""}${installed}`;
}

/** localStorage: the id the server gave this browser's subscription (shown as 本机). */
export const THIS_DEVICE = "bw-push-device";

async function send(sub: PushSubscription) {
  const json = sub.toJSON();
  const device = await call(
    api.POST("/api/v1/push/subscriptions", {
      body: { endpoint: sub.endpoint, keys: { p256dh: json.keys?.p256dh ?? "", auth: json.keys?.auth ?? "" }, label: deviceLabel() },
    }),
  );
  localStorage.setItem(THIS_DEVICE, String(device.id));
  return device;
}

/** Asks for permission, subscribes this browser and tells the server. Throws a reason. */
export async function enablePush(): Promise<void> {
  if (!pushSupported()) throw new Error("unsupported");
  const permission = await Notification.requestPermission();
  if (permission !== "granted") throw new Error("denied");
  const reg = await registration();
  const { public_key } = await call(api.GET("/api/v1/push/key"));
  const key = keyBytes(public_key);
  let sub = await reg.pushManager.getSubscription();
  if (sub && !sameKey(sub, key)) {
    await sub.unsubscribe();
    sub = null;
  }
  sub ??= await Promise.race([
    reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }),
    // A browser that cannot reach its push service may never answer.
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error("the browser's push service did not answer")), 30_000)),
  ]);
  await send(sub);
}

/** This browser receives no more pushes (the server forgets it, the browser unsubscribes). */
export async function disablePush(): Promise<void> {
  const sub = await currentSubscription();
  if (!sub) return;
  localStorage.removeItem(THIS_DEVICE);
  await call(api.POST("/api/v1/push/subscriptions/remove", { body: { endpoint: sub.endpoint } })).catch(() => undefined);
  await sub.unsubscribe().catch(() => false);
}

/** Before signing out: nothing more for this person reaches this browser. */
export async function forgetThisDevice(): Promise<void> {
  try {
    await Promise.race([disablePush(), new Promise((r) => setTimeout(r, 3000))]);
  } catch {
    /* signing out goes on */
  }
}

/** At start, logged in: a subscription this browser has goes to the server again. */
export async function syncPush(): Promise<void> {
  if (!WORKER_ENABLED || !pushSupported() || Notification.permission !== "granted") return;
  const sub = await currentSubscription();
  if (!sub) return;
  const { public_key } = await call(api.GET("/api/v1/push/key"));
  if (!sameKey(sub, keyBytes(public_key))) {
    // The server's key changed: this subscription is worthless; make a new one.
    await sub.unsubscribe().catch(() => false);
    await enablePush();
    return;
  }
  await send(sub);
}

/** Shows a notification through the service worker where there is one (Android allows no
 * other kind), else the page's own. Same tag as the push's: one replaces the other. */
export async function showNotification(title: string, options: NotificationOptions, onClick?: () => void): Promise<void> {
  const reg = WORKER_ENABLED && "serviceWorker" in navigator ? await navigator.serviceWorker.getRegistration() : undefined;
  if (reg?.active) {
    await reg.showNotification(title, { icon: "/icons/icon-192.png", badge: "/icons/badge-96.png", ...options });
    return;
  }
  const n = new Notification(title, options);
  n.onclick = () => {
    window.focus();
    onClick?.();
    n.close();
  };
}

/** Takes this device's notifications with `tag` away (the item was dealt with). */
export async function closeNotifications(tag: string): Promise<void> {
  if (!("serviceWorker" in navigator)) return;
  const reg = await navigator.serviceWorker.getRegistration();
  const shown = (await reg?.getNotifications({ tag })) ?? [];
  shown.forEach((n) => n.close());
}

/** Re-sends this browser's subscription once per login (see `syncPush`). */
export function usePushSync(me: number | undefined): void {
  useEffect(() => {
    if (me != null) void syncPush().catch(() => undefined);
  }, [me]);
}
