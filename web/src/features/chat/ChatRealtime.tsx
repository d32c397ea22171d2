import { useEffect, useRef } from "react";
import { Badge } from "antd";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router-dom";
import { useT } from "../../i18n";
import { realtime } from "../../realtime";
import { chatKeys, useChatSync } from "./live";
import { fetchUnreadAfter, listEdge } from "./live/sync";
import { unreadShown } from "./live/unread";
import { useConversations, useListCursor } from "./api";
import { useMe } from "../../api/hooks";
import { RESEND_EVERY, resendFailed, restorePending } from "./pending";
import { conversationTitle, previewText } from "./text";
import { displayName } from "../people/parents";
import { alertFor, claimAlert, mentionsMe } from "./alerts";
import { shareQuietHours } from "../push/quiet";
import { DEFAULT_PREFERENCES, usePreferences, usePreferencesLive } from "./preferences";
import { armSound, playChime } from "./sound";

/**
 * Total unread of the conversations that are not muted, all of them however much of the list is
 * loaded: the loaded ones' counts (live) plus the server's total of the rest (live/unread.ts).
 */
export function useUnreadTotal(): number {
  const list = useConversations().data ?? [];
  const at = useListCursor().data;
  const edge = listEdge(at);
  const cursor = edge ? (at?.cursor ?? null) : null;
  const rest = useQuery({
    queryKey: chatKeys.unreadAfter(at?.generation ?? 0, cursor),
    // The rest comes with the place it starts after: until the rest after a new cursor is in
    // (more of the list loaded), the list is counted down to the old place, never twice.
    queryFn: async () => ({ ...(await fetchUnreadAfter(cursor!)), edge }),
    enabled: cursor != null,
    staleTime: Infinity,
    placeholderData: keepPreviousData,
  });
  if (edge == null) return unreadShown(list, null, 0); // the whole list is loaded
  return rest.data ? unreadShown(list, rest.data.edge, rest.data.unread) : unreadShown(list, edge, 0);
}

/**
 * Mounted once in the layout: keeps the tab's socket open, shows the unread total in the tab
 * title, and raises a browser notification for new messages while the tab is hidden.
 */
export function ChatRealtime() {
  const t = useT();
  const sync = useChatSync();
  const qc = useQueryClient();
  // Back online: every conversation's sends that failed for want of a connection go again, at
  // once and then every few seconds while connected (a send can fail again on a flapping
  // network just as the socket comes back), up to AUTO_TRIES times each.
  useEffect(() => {
    if (!sync) return;
    let last = realtime.status;
    const off = realtime.onStatus((s) => {
      if (s === "open" && last !== "open") resendFailed(qc);
      last = s;
    });
    const timer = setInterval(() => {
      if (realtime.status === "open") resendFailed(qc);
    }, RESEND_EVERY);
    return () => {
      off();
      clearInterval(timer);
    };
  }, [sync, qc]);
  // After a reload: the messages kept unsent in this browser return to their conversations and
  // go again as soon as the socket is open (the effect above sends them when it opens later).
  const me = useMe().data?.id;
  useEffect(() => {
    if (me == null) return;
    let live = true;
    void restorePending(qc, me).then((n) => {
      if (live && n > 0 && sync && realtime.status === "open") resendFailed(qc);
    });
    return () => {
      live = false;
    };
  }, [me, qc, sync]);
  const total = useUnreadTotal();
  const navigate = useNavigate();
  const base = useRef<string>(document.title.replace(/^\(\d+\+?\)\s*/, ""));

  useEffect(() => {
    document.title = total > 0 ? `(${total > 99 ? "99+" : total}) ${base.current}` : base.current;
  }, [total]);
  useEffect(() => () => void (document.title = base.current), []);

  // One's notification preferences, kept live across one's tabs; the sound may play once the
  // person has interacted with the page (browsers' rule).
  usePreferencesLive();
  const loaded = usePreferences(me != null).data;
  const prefs = loaded ?? DEFAULT_PREFERENCES;
  useEffect(() => armSound(), []);
  // The service worker reads the do-not-disturb window when a push comes (push/quiet.ts).
  useEffect(() => {
    if (loaded) void shareQuietHours(loaded).catch(() => undefined);
  }, [loaded]);

  useEffect(() => {
    if (!sync || me == null) return;
    sync.notify = (conv, m) => {
      const hidden = document.visibilityState !== "visible";
      const alert = alertFor({ conv, msg: m, me, prefs, now: new Date(), hidden, openId: sync.active });
      if (!alert.notify && !alert.sound) return;
      if (!claimAlert(typeof localStorage === "undefined" ? null : localStorage, `${m.conversation_id}:${m.seq}`)) return;
      if (alert.sound) playChime();
      if (!alert.notify || typeof Notification === "undefined" || Notification.permission !== "granted") return;
      const title = conv ? conversationTitle(conv, t) : t("chat.title");
      const marker = mentionsMe(m, me) ? `${t(m.mentions?.includes(me) ? "chat.markerMe" : "chat.markerAll")} ` : "";
      const body = marker + (conv?.kind === "direct" ? previewText(m, t) : `${m.sender ? displayName(m.sender, t) : ""}: ${previewText(m, t)}`);
      try {
        // Silent: the page plays its own sound (or none, as the person chose).
        const n = new Notification(title, { body, tag: `bw-chat-${m.conversation_id}`, silent: true });
        n.onclick = () => {
          window.focus();
          navigate(`/chat/${m.conversation_id}`);
          n.close();
        };
      } catch {
        /* some browsers allow notifications only from a service worker */
      }
    };
    return () => {
      sync.notify = null;
    };
  }, [sync, t, navigate, me, prefs]);
  return null;
}

/**
 * The menu entry's label: "消息" with the unread total (unless the tab bar shows it on the icon).
 * Asks for notification permission once.
 */
export function ChatNavLabel({ badge = true }: { badge?: boolean }) {
  const t = useT();
  const total = useUnreadTotal();
  return (
    <span
      data-testid="nav-chat"
      onClick={() => {
        if (typeof Notification !== "undefined" && Notification.permission === "default") void Notification.requestPermission();
      }}
    >
      {t("chat.nav")}
      {badge && total > 0 && <Badge count={total} size="small" overflowCount={99} style={{ marginLeft: 6 }} />}
    </span>
  );
}
