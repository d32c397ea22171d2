/** A call in a direct chat (message kind "call"): how it went, worded for the reader, and 回拨. */
import { PhoneOutlined, VideoCameraOutlined } from "@ant-design/icons";
import type { components } from "../../api/schema";
import { useT } from "../../i18n";
import { callTime, startCall } from "./store";

type Message = components["schemas"]["MessageOut"];

export function CallNote({ m, me, peerId }: { m: Message; me: number; peerId: number | null }) {
  const t = useT();
  const c = m.call;
  if (!c) return null;
  const mine = m.sender?.id === me;
  let text: string;
  if (c.outcome === "ended") text = t("calls.note.time", { time: callTime(c.seconds ?? 0) });
  else if (c.outcome === "missed") text = mine ? t("calls.note.noAnswer") : t("calls.note.missed");
  else if (c.outcome === "declined") text = mine ? t("calls.note.declined") : t("calls.note.youDeclined");
  else if (c.outcome === "busy") text = mine ? t("calls.note.busy") : t("calls.note.missed");
  else text = mine ? t("calls.note.cancelled") : t("calls.note.theyCancelled");
  return (
    <span className="bw-call-note" data-testid="chat-call" data-outcome={c.outcome}>
      {c.video ? <VideoCameraOutlined /> : <PhoneOutlined />}
      <span data-testid="chat-call-text">{text}</span>
      {peerId != null && (
        <a onClick={() => startCall(peerId, c.video)} data-testid="chat-call-back">
          {t("calls.callBack")}
        </a>
      )}
    </span>
  );
}
