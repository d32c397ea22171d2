/**
 * Whether a new message alerts this person, and how: a desktop notification, a sound. Pure, so
 * the rules are tested by themselves (alerts.test.ts); ChatRealtime applies them.
 *
 * - Nothing for one's own messages, nor for a group's notices (someone joined, the name changed).
 * - A muted conversation (消息免打扰) stays quiet — unless the message mentions oneself or everyone:
 *   those alert anyway, as in DingTalk.
 * - Inside the do-not-disturb window (the device's local time; past midnight when it ends earlier
 *   than it starts) nothing alerts, mentions included.
 * - A conversation open on a visible page alerts nothing (it is being read). Otherwise the sound
 *   plays (page hidden, or another conversation or page on screen), and the desktop notification
 *   shows while the page is hidden.
 */
import type { components } from "../../api/schema";
import type { ConversationOut, MessageOut } from "./live/events";
import { inQuietHours } from "./quiet-rule";

export type Preferences = components["schemas"]["PreferencesOut"];

// The window's rule lives by itself, where the service worker imports it too.
export { inQuietHours, minutesOf } from "./quiet-rule";

/** The message mentions `me` by name or everyone. */
export function mentionsMe(m: MessageOut, me: number): boolean {
  return !!m.mentions?.some((x) => x === me || x === "all");
}

export interface AlertInput {
  conv: ConversationOut | undefined;
  msg: MessageOut;
  me: number;
  prefs: Preferences;
  now: Date;
  /** The page is not visible (another tab, minimised). */
  hidden: boolean;
  /** The conversation open on this page, if any. */
  openId: number | null;
}

export interface Alert {
  notify: boolean;
  sound: boolean;
}

const QUIET: Alert = { notify: false, sound: false };

export function alertFor(i: AlertInput): Alert {
  const { msg, conv, prefs } = i;
  if (msg.sender?.id === i.me || msg.kind === "system") return QUIET;
  if (conv?.muted && !mentionsMe(msg, i.me)) return QUIET;
  if (inQuietHours(prefs, i.now)) return QUIET;
  if (!i.hidden && i.openId === msg.conversation_id) return QUIET;
  return { notify: prefs.notifications && i.hidden, sound: prefs.sound };
}

/**
 * One alert per message however many tabs of this browser hear of it: the first tab to claim
 * `conversation:seq` plays it (kept in localStorage, the last few claims only).
 */
export function claimAlert(store: Pick<Storage, "getItem" | "setItem"> | null, key: string): boolean {
  if (!store) return true;
  try {
    const seen: string[] = JSON.parse(store.getItem("bw-chat-alerted") ?? "[]");
    if (seen.includes(key)) return false;
    store.setItem("bw-chat-alerted", JSON.stringify([...seen.slice(-49), key]));
  } catch {
    /* storage full or blocked: alert anyway */
  }
  return true;
}
