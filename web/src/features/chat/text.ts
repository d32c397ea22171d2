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
  return c.peer?.name ?? c.name;
}

/** System messages carry `{"event": ..., ...params}` as their body (chat/service.py). */
export function systemText(m: Message, t: TFunction, me?: number): string {
  let v: { event?: string; name?: string; person_ids?: number[] } = {};
  try {
    v = JSON.parse(m.body ?? "{}") as typeof v;
  } catch {
    return m.body ?? "";
  }
  const name = m.sender ? (m.sender.id === me ? t("chat.you") : m.sender.name) : "";
  const n = v.person_ids?.length ?? 0;
  switch (v.event) {
    case "group.created":
      return t("chat.sysCreated", { name, group: v.name ?? "" });
    case "group.renamed":
      return t("chat.sysRenamed", { name, group: v.name ?? "" });
    case "members.added":
      return t("chat.sysAdded", { name, n });
    case "members.removed":
      return t("chat.sysRemoved", { name, n });
    case "members.left":
      return t("chat.sysLeft", { n });
    default:
      return t("chat.sysOther");
  }
}
