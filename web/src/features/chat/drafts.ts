/**
 * Unsent text per conversation, as chat apps keep it: it survives switching conversations and
 * reloading the page, and the conversation list shows it ("[草稿] …"). Kept in this browser's
 * localStorage for the person logged in, cleared at logout; never for a private
 * (burn-after-reading) chat, whose words must not outlive the screen.
 */
import { useSyncExternalStore } from "react";

const PREFIX = "bw_drafts_";
const listeners = new Set<() => void>();
let owner: number | null = null;
let drafts: Record<string, string> = {};

function load(me: number): Record<string, string> {
  if (owner === me) return drafts;
  owner = me;
  try {
    const raw = localStorage.getItem(PREFIX + me);
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    drafts = parsed && typeof parsed === "object" ? (parsed as Record<string, string>) : {};
  } catch {
    drafts = {};
  }
  return drafts;
}

export function getDraft(me: number, conversationId: number): string {
  return load(me)[conversationId] ?? "";
}

export function setDraft(me: number, conversationId: number, text: string): void {
  const current = load(me);
  if ((current[conversationId] ?? "") === text) return;
  const next = { ...current };
  if (text.trim()) next[conversationId] = text;
  else delete next[conversationId];
  drafts = next;
  try {
    if (Object.keys(next).length) localStorage.setItem(PREFIX + me, JSON.stringify(next));
    else localStorage.removeItem(PREFIX + me);
  } catch {
    /* storage full or disabled: the draft lives until the page closes */
  }
  listeners.forEach((fn) => fn());
}

/** Forget every draft kept in this browser (logout). */
export function clearDrafts(): void {
  owner = null;
  drafts = {};
  try {
    for (const k of Object.keys(localStorage)) if (k.startsWith(PREFIX)) localStorage.removeItem(k);
  } catch {
    /* nothing to clear */
  }
  listeners.forEach((fn) => fn());
}

function subscribe(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** All of my drafts by conversation id; re-renders when one changes. */
export function useDrafts(me: number | undefined): Record<string, string> {
  return useSyncExternalStore(subscribe, () => (me == null ? EMPTY : load(me)));
}
const EMPTY: Record<string, string> = {};
