import dayjs from "dayjs";
import { createElement, Fragment, type ReactNode } from "react";
import type { MessageKey, TFunction } from "../../i18n";
import { bdi, type TNodes } from "../../i18n/isolate";
import type { Conversation, HistorySource, Message } from "./api";
import { kinKey, type NamedPerson } from "../people/parents";

/**
 * How a text is put together: as a plain string (notifications, quotes, tests) or as React nodes
 * with every piece of user text — names, file names, message text — isolated (`<bdi>`, see
 * i18n/isolate.ts), for the screen. The text functions below are written once for both.
 */
interface Out<R> {
  t: (key: MessageKey, params?: Record<string, string | number | R>) => R;
  /** A piece of user text. */
  user: (s: string) => R;
  cat: (...parts: (R | string)[]) => R;
}

const plain = (t: TFunction): Out<string> => ({ t: t as Out<string>["t"], user: (s) => s, cat: (...p) => p.join("") });
const rich = (tn: TNodes): Out<ReactNode> => ({ t: tn, user: bdi, cat: (...p) => createElement(Fragment, null, ...p) });

/** A person as shown: a guardian as their child's parent (people/parents.ts), else their name. */
function person<R>(o: Out<R>, p: NamedPerson): R {
  if (!p.parent_of) return o.user(p.name);
  return o.t("people.parentOf", { child: o.user(p.parent_of.student_name), kin: o.t(kinKey(p.parent_of.relation)) });
}

function preview<R>(m: Message | null | undefined, o: Out<R>, me?: number): R | string {
  if (!m) return "";
  if (m.recalled) {
    const who = m.sender?.id === me ? o.t("chat.you") : m.sender ? person(o, m.sender) : "";
    return o.t("chat.recalledBy", { name: who });
  }
  if (m.kind === "system") return system(m, o, me);
  if (m.kind === "history") return o.t("chat.fwd.cardPreview", { title: m.card ? historyTitle(m.card.source, o) : "" });
  if (m.body == null && m.kind === "text") return o.t("chat.privateHidden");
  if (m.kind === "image") return m.body ? o.user(m.body) : o.t("chat.imagePreview");
  if (m.kind === "file") return o.t("chat.filePreview", { name: m.file?.name ?? "" });
  if (m.kind === "announcement") return o.t("announce.preview", { text: o.user(m.body ?? "") });
  if (m.kind === "notice") return o.t("notices.chatPreview", { text: o.user(m.body ?? "") });
  if (m.kind === "form") return o.t("forms.card.preview", { text: o.user(m.body ?? "") });
  if (m.kind === "report") return o.t("reports.card.preview", { text: o.user(m.body ?? "") });
  if (m.kind === "approval") return o.t("approvals.card.preview", { text: o.user(m.body ?? "") });
  if (m.kind === "lesson") return o.t("lessons.card.preview", { text: o.user(m.body ?? "") });
  if (m.kind === "meeting") return o.t("meetings.card.preview", { text: o.user(m.body ?? "") });
  if (m.kind === "call") return o.t("calls.preview");
  if (m.kind === "voice") return o.t("chat.voicePreview");
  return o.user(m.body ?? "");
}

/** Whose chat history a card holds: "群聊 Z 的聊天记录", "X和Y的聊天记录" (chat/forwarding.py). */
function historyTitle<R>(src: HistorySource, o: Out<R>): R | string {
  if (src.kind === "group") return o.t("chat.fwd.titleGroup", { name: o.user(src.name ?? "") });
  const [a, b] = src.people ?? [];
  if (a && b) return o.t("chat.fwd.titleTwo", { a: person(o, a), b: person(o, b) });
  return o.t("chat.fwd.titleOne", { a: a ? person(o, a) : "" });
}

export function historyTitleText(src: HistorySource, t: TFunction): string {
  return historyTitle(src, plain(t));
}

export function historyTitleNode(src: HistorySource, tn: TNodes): ReactNode {
  return historyTitle(src, rich(tn));
}

/** A person inside a chat-history card, as they were shown when it was forwarded. */
export function historyPersonNode(p: NamedPerson, tn: TNodes): ReactNode {
  return person(rich(tn), p);
}

/** One line describing a message (list preview, quote, notification). */
export function previewText(m: Message | null | undefined, t: TFunction, me?: number): string {
  return preview(m, plain(t), me);
}

/** The same line on screen, its user text isolated. */
export function previewNode(m: Message | null | undefined, tn: TNodes, me?: number): ReactNode {
  return preview(m, rich(tn), me);
}

function listLine<R>(c: Conversation, o: Out<R>, me?: number): R | string {
  const m = c.last_message;
  if (!m) return "";
  const text = preview(m, o, me);
  if (m.recalled || m.kind === "system" || c.kind === "direct" || c.kind === "devices" || !m.sender) return text;
  return o.cat(m.sender.id === me ? o.t("chat.you") : person(o, m.sender), ": ", text);
}

export function listPreview(c: Conversation, t: TFunction, me?: number): string {
  return listLine(c, plain(t), me);
}

export function listPreviewNode(c: Conversation, tn: TNodes, me?: number): ReactNode {
  return listLine(c, rich(tn), me);
}

export function listTime(iso: string): string {
  const d = dayjs(iso);
  const now = dayjs();
  if (d.isSame(now, "day")) return d.format("HH:mm");
  if (d.isSame(now.subtract(1, "day"), "day")) return d.format("MM-DD");
  if (d.isSame(now, "year")) return d.format("MM-DD");
  return d.format("YYYY-MM-DD");
}

export function fileSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function title<R>(c: Conversation, o: Out<R>): R | string {
  if (c.kind === "devices") return o.t("chat.myDevices");
  // A unit group is named after its unit; a class's is its home–school group.
  if (c.kind === "unit" && c.unit_kind === "class") return o.t("chat.classGroupName", { name: c.name });
  // A direct chat is titled with the person's own name; the header says whose parent they are.
  return o.user(c.peer?.name ?? c.name);
}

export function conversationTitle(c: Conversation, t: TFunction): string {
  return title(c, plain(t));
}

export function conversationTitleNode(c: Conversation, tn: TNodes): ReactNode {
  return title(c, rich(tn));
}

/** System messages carry `{"event": ..., ...params}` as their body (chat/service.py). */
function system<R>(m: Message, o: Out<R>, me?: number): R | string {
  let v: SystemBody = {};
  try {
    v = JSON.parse(m.body ?? "{}") as SystemBody;
  } catch {
    return o.user(m.body ?? "");
  }
  const name = m.sender ? (m.sender.id === me ? o.t("chat.you") : person(o, m.sender)) : "";
  switch (v.event) {
    case "group.created":
      return o.t("chat.sysCreated", { name, group: v.name ?? "" });
    case "group.renamed":
      return o.t("chat.sysRenamed", { name, group: v.name ?? "" });
    case "members.added":
      return o.t("chat.sysAdded", { name, who: who(v, o, me) });
    case "members.removed":
      return o.t("chat.sysRemoved", { name, who: who(v, o, me) });
    case "members.left":
      return o.t("chat.sysLeft", { who: who(v, o, me) });
    case "members.joined":
      return v.by_name
        ? o.t("chat.sysJoinedVia", { who: who(v, o, me), by: v.by_id === me ? o.t("chat.youObject") : o.user(v.by_name) })
        : o.t("chat.sysJoined", { who: who(v, o, me) });
    default:
      return o.t("chat.sysOther");
  }
}

export function systemText(m: Message, t: TFunction, me?: number): string {
  return system(m, plain(t), me);
}

export function systemNode(m: Message, tn: TNodes, me?: number): ReactNode {
  return system(m, rich(tn), me);
}

interface SystemBody {
  event?: string;
  name?: string;
  /** The first few people (at most 10), their names then, and how many in all. */
  person_ids?: number[];
  names?: string[];
  count?: number;
  /** members.joined: whose QR code they scanned. */
  by_id?: number;
  by_name?: string;
}

/** The people a system message is about: "张三、李四" / "Zhang and Li", or of a crowd the first
 * two and the count: "张三、李四等 12 人" / "12 people, including Zhang and Li". */
function who<R>(v: SystemBody, o: Out<R>, me?: number): R | string {
  const ids = v.person_ids ?? [];
  const names = v.names ?? [];
  const count = v.count ?? Math.max(ids.length, names.length);
  // Names line up with ids unless someone has since been deleted. The reader comes first
  // ("你、张三等 12 人"), so a crowd that includes them still says so.
  const aligned = names.length === ids.length;
  const mine = aligned && me !== undefined ? ids.indexOf(me) : -1;
  const others: (R | string)[] = names.filter((_, i) => i !== mine);
  const shown = mine >= 0 ? [o.t("chat.youObject"), ...others] : others;
  if (shown.length === 0) return o.t("chat.whoCount", { n: count });
  if (count === 1) return typeof shown[0] === "string" ? o.user(shown[0]) : shown[0];
  if (count === 2 && shown.length === 2) return o.t("chat.who2", { a: shown[0], b: shown[1] });
  if (count === 3 && shown.length === 3) return o.t("chat.who3", { a: shown[0], b: shown[1], c: shown[2] });
  const first = shown.length === 1 ? shown[0] : o.t("chat.who2", { a: shown[0], b: shown[1] });
  return o.t("chat.whoMany", { first, n: count });
}

export function whoText(v: SystemBody, t: TFunction, me?: number): string {
  return who(v, plain(t), me);
}
