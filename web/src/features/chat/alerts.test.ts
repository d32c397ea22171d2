import { describe, expect, it } from "vitest";
import { alertFor, claimAlert, inQuietHours, minutesOf, type AlertInput, type Preferences } from "./alerts";
import type { ConversationOut, MessageOut } from "./live/events";

const ME = 9;
const prefs: Preferences = {
  notifications: true,
  sound: true,
  dnd: false,
  dnd_start: "22:00",
  dnd_end: "07:00",
  push_ding: true,
  push_notice: true,
  push_mention: true,
  push_direct: true,
};
const at = (hh: number, mm = 0) => new Date(2026, 10, 24, hh, mm);

const conv = (over: Partial<ConversationOut> = {}): ConversationOut =>
  ({ id: 1, kind: "group", name: "家委会", muted: false, pinned: false, ...over }) as ConversationOut;
const msg = (over: Partial<MessageOut> = {}): MessageOut => ({
  conversation_id: 1,
  seq: 5,
  sender: { id: 2, name: "王老师" },
  kind: "text",
  body: "明天春游",
  mentions: [],
  created_at: "2026-11-24T08:00:00Z",
  recalled: false,
  ...over,
});

function input(over: Partial<AlertInput> = {}): AlertInput {
  return { conv: conv(), msg: msg(), me: ME, prefs, now: at(10), hidden: true, openId: null, ...over };
}

describe("alerts for new messages", () => {
  it("notify and sound while the page is hidden; sound only when another conversation is on screen", () => {
    expect(alertFor(input())).toEqual({ notify: true, sound: true });
    expect(alertFor(input({ hidden: false, openId: 7 }))).toEqual({ notify: false, sound: true });
    expect(alertFor(input({ hidden: false, openId: null }))).toEqual({ notify: false, sound: true });
    // The conversation being read on a visible page: nothing.
    expect(alertFor(input({ hidden: false, openId: 1 }))).toEqual({ notify: false, sound: false });
    // Open but the page hidden (another tab in front): it alerts.
    expect(alertFor(input({ hidden: true, openId: 1 }))).toEqual({ notify: true, sound: true });
  });

  it("never for one's own messages or a group's notices", () => {
    expect(alertFor(input({ msg: msg({ sender: { id: ME, name: "我" } }) }))).toEqual({ notify: false, sound: false });
    expect(alertFor(input({ msg: msg({ kind: "system" }) }))).toEqual({ notify: false, sound: false });
  });

  it("a muted conversation is quiet, unless the message mentions me or everyone", () => {
    const muted = conv({ muted: true });
    expect(alertFor(input({ conv: muted }))).toEqual({ notify: false, sound: false });
    expect(alertFor(input({ conv: muted, msg: msg({ mentions: [ME] }) }))).toEqual({ notify: true, sound: true });
    expect(alertFor(input({ conv: muted, msg: msg({ mentions: ["all"] }) }))).toEqual({ notify: true, sound: true });
    expect(alertFor(input({ conv: muted, msg: msg({ mentions: [3] }) }))).toEqual({ notify: false, sound: false });
    // A conversation the list has not loaded yet is not known to be muted.
    expect(alertFor(input({ conv: undefined }))).toEqual({ notify: true, sound: true });
  });

  it("follows the person's switches", () => {
    expect(alertFor(input({ prefs: { ...prefs, notifications: false } }))).toEqual({ notify: false, sound: true });
    expect(alertFor(input({ prefs: { ...prefs, sound: false } }))).toEqual({ notify: true, sound: false });
  });

  it("nothing at all inside the do-not-disturb window, mentions included", () => {
    const dnd = { ...prefs, dnd: true };
    expect(alertFor(input({ prefs: dnd, now: at(23, 30), msg: msg({ mentions: [ME] }) }))).toEqual({ notify: false, sound: false });
    expect(alertFor(input({ prefs: dnd, now: at(7, 0) }))).toEqual({ notify: true, sound: true });
    // Switched off: the hours do not matter.
    expect(alertFor(input({ now: at(23, 30) }))).toEqual({ notify: true, sound: true });
  });
});

describe("do-not-disturb window", () => {
  it("runs past midnight when it ends earlier than it starts", () => {
    const p = { dnd: true, dnd_start: "22:00", dnd_end: "07:00" };
    expect([at(21, 59), at(22, 0), at(0, 0), at(6, 59), at(7, 0), at(12, 0)].map((d) => inQuietHours(p, d))).toEqual([
      false,
      true,
      true,
      true,
      false,
      false,
    ]);
  });

  it("within one day otherwise; an empty or broken window is never quiet", () => {
    const p = { dnd: true, dnd_start: "12:00", dnd_end: "13:30" };
    expect([at(11, 59), at(12, 0), at(13, 29), at(13, 30)].map((d) => inQuietHours(p, d))).toEqual([false, true, true, false]);
    expect(inQuietHours({ dnd: true, dnd_start: "08:00", dnd_end: "08:00" }, at(8))).toBe(false);
    expect(inQuietHours({ dnd: true, dnd_start: "8pm", dnd_end: "07:00" }, at(23))).toBe(false);
    expect(inQuietHours({ ...p, dnd: false }, at(12, 30))).toBe(false);
  });

  it("reads HH:MM", () => {
    expect([minutesOf("00:00"), minutesOf("7:05"), minutesOf("23:59"), minutesOf("24:00"), minutesOf("12:60"), minutesOf("")]).toEqual([
      0,
      425,
      1439,
      null,
      null,
      null,
    ]);
  });
});

describe("one alert per message across tabs", () => {
  it("the first tab to claim it alerts, the others do not; old claims are let go", () => {
    const data = new Map<string, string>();
    const store = { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v) };
    expect(claimAlert(store, "1:5")).toBe(true);
    expect(claimAlert(store, "1:5")).toBe(false);
    expect(claimAlert(store, "1:6")).toBe(true);
    for (let i = 0; i < 60; i++) claimAlert(store, `2:${i}`);
    expect(JSON.parse(data.get("bw-chat-alerted")!).length).toBe(50);
    expect(claimAlert(store, "1:5")).toBe(true);
    // No storage (private mode, blocked): alert anyway.
    expect(claimAlert(null, "1:5")).toBe(true);
    const broken = { getItem: () => "not json", setItem: () => undefined };
    expect(claimAlert(broken, "1:7")).toBe(true);
  });
});
