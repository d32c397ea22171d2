import dayjs from "dayjs";
import type { TFunction } from "../../i18n";
import type { Conversation, Message } from "./api";

/** One line describing a message (list preview, quote, notification). */
export function previewText(m: Message | null | undefined, t: TFunction, me?: number): string {
  if (!m) return "";
  if (m.recalled) {
    const who = m.sender?.id === me ? t("chat.you") : (m.sender?.name ?? "");
    return t("chat.recalledBy", { name: who });
  }
  if (m.kind === "system") return systemText(m, t, me);
  if (m.body == null && m.kind === "text") return t("chat.privateHidden");
  if (m.kind === "image") return m.body ? m.body : t("chat.imagePreview");
  if (m.kind === "file") return t("chat.filePreview", { name: m.file?.name ?? "" });
  return m.body ?? "";
}

export function listPreview(c: Conversation, t: TFunction, me?: number): string {
  const m = c.last_message;
  if (!m) return "";
  const text = previewText(m, t, me);
  if (m.recalled || m.kind === "system" || c.kind === "direct" || c.kind === "devices" || !m.sender) return text;
  return `${m.sender.id === me ? t("chat.you") : m.sender.name}: ${text}`;
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

export function conversationTitle(c: Conversation, t: TFunction): string {
  if (c.kind === "devices") return t("chat.myDevices");
  // A unit group is named after its unit; a class's is its home–school group.
  if (c.kind === "unit" && c.unit_kind === "class") return t("chat.classGroupName", { name: c.name });
  return c.peer?.name ?? c.name;
}

/** System messages carry `{"event": ..., ...params}` as their body (chat/service.py). */
export function systemText(m: Message, t: TFunction, me?: number): string {
  let v: SystemBody = {};
  try {
    v = JSON.parse(m.body ?? "{}") as SystemBody;
  } catch {
    return m.body ?? "";
  }
  const name = m.sender ? (m.sender.id === me ? t("chat.you") : m.sender.name) : "";
  switch (v.event) {
    case "group.created":
      return t("chat.sysCreated", { name, group: v.name ?? "" });
    case "group.renamed":
      return t("chat.sysRenamed", { name, group: v.name ?? "" });
    case "members.added":
      return t("chat.sysAdded", { name, who: whoText(v, t, me) });
    case "members.removed":
      return t("chat.sysRemoved", { name, who: whoText(v, t, me) });
    case "members.left":
      return t("chat.sysLeft", { who: whoText(v, t, me) });
    default:
      return t("chat.sysOther");
  }
}

interface SystemBody {
  event?: string;
  name?: string;
  /** The first few people (at most 10), their names then, and how many in all. */
  person_ids?: number[];
  names?: string[];
  count?: number;
}

/** The people a system message is about: "张三、李四" / "Zhang and Li", or of a crowd the first
 * two and the count: "张三、李四等 12 人" / "12 people, including Zhang and Li". */
export function whoText(v: SystemBody, t: TFunction, me?: number): string {
  const ids = v.person_ids ?? [];
  const names = v.names ?? [];
  const count = v.count ?? Math.max(ids.length, names.length);
  // Names line up with ids unless someone has since been deleted. The reader comes first
  // ("你、张三等 12 人"), so a crowd that includes them still says so.
  const aligned = names.length === ids.length;
  const mine = aligned && me !== undefined ? ids.indexOf(me) : -1;
  const others = names.filter((_, i) => i !== mine);
  const shown = mine >= 0 ? [t("chat.youObject"), ...others] : names;
  if (shown.length === 0) return t("chat.whoCount", { n: count });
  if (count === 1) return shown[0];
  if (count === 2 && shown.length === 2) return t("chat.who2", { a: shown[0], b: shown[1] });
  if (count === 3 && shown.length === 3) return t("chat.who3", { a: shown[0], b: shown[1], c: shown[2] });
  const first = shown.length === 1 ? shown[0] : t("chat.who2", { a: shown[0], b: shown[1] });
  return t("chat.whoMany", { first, n: count });
}
