/**
 * Mounted once in the layout: keeps one's notices live (docs/notices.md, "Events").
 *
 * - The unread count (the badge) comes from `GET /api/v1/notices/unread` on load and after every
 *   `hello`; `notice.new` adds one to it here, without a request (8,000 recipients told at once
 *   do not all ask the server again), and refetches only the inbox lists on screen.
 * - `notice.read` of one's own (another device) refetches the count; for an author, the
 *   statistics of that notice refetch at most once a second however many read at once.
 * - `notice.changed` and `notice.recalled` refetch the notice and the lists on screen.
 */
import { useEffect, useRef } from "react";
import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useMe } from "../../api/hooks";
import { useEvent, useRealtime } from "../../realtime";
import { noticeKeys, useUnreadNotices } from "./api";

const COALESCE_MS = 1000;

/** Refetches an author's view of notice `id` at most once per second, the last event included. */
function useCoalesced(qc: QueryClient) {
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());
  useEffect(() => {
    const all = timers.current;
    return () => all.forEach((t) => clearTimeout(t));
  }, []);
  return (id: number) => {
    if (timers.current.has(id)) return;
    timers.current.set(
      id,
      setTimeout(() => {
        timers.current.delete(id);
        void qc.invalidateQueries({ queryKey: noticeKeys.stats(id) });
        void qc.invalidateQueries({ queryKey: noticeKeys.people(id) });
        void qc.invalidateQueries({ queryKey: noticeKeys.one(id) });
        void qc.invalidateQueries({ queryKey: noticeKeys.sent });
      }, COALESCE_MS),
    );
  };
}

export function NoticeRealtime() {
  const me = useMe().data?.id;
  useRealtime();
  const qc = useQueryClient();
  useUnreadNotices(me != null);
  const authorView = useCoalesced(qc);
  const lists = () => {
    void qc.invalidateQueries({ queryKey: noticeKeys.inboxAll });
    void qc.invalidateQueries({ queryKey: ["workbench"] });
  };

  useEvent("hello", () => {
    void qc.invalidateQueries({ queryKey: noticeKeys.unread });
    lists();
  });
  useEvent("notice.new", () => {
    qc.setQueryData<{ unread: number; to_confirm: number }>(noticeKeys.unread, (old) => (old ? { ...old, unread: old.unread + 1 } : old));
    lists();
  });
  useEvent("notice.read", (ev) => {
    if (ev.person_id === me) {
      void qc.invalidateQueries({ queryKey: noticeKeys.unread });
      void qc.invalidateQueries({ queryKey: noticeKeys.one(ev.notice_id) });
      lists();
    } else {
      authorView(ev.notice_id);
    }
  });
  useEvent("notice.changed", (ev) => {
    void qc.invalidateQueries({ queryKey: noticeKeys.one(ev.notice_id) });
    void qc.invalidateQueries({ queryKey: noticeKeys.sent });
    lists();
  });
  useEvent("notice.recalled", (ev) => {
    void qc.invalidateQueries({ queryKey: noticeKeys.one(ev.notice_id) });
    void qc.invalidateQueries({ queryKey: noticeKeys.unread });
    void qc.invalidateQueries({ queryKey: noticeKeys.sent });
    lists();
  });
  return null;
}

/** The number on the 公告 badges: unread notices. */
export function useNoticeBadge(): number {
  const me = useMe().data?.id;
  return useUnreadNotices(me != null).data?.unread ?? 0;
}
