import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { Button, Spin } from "antd";
import { DownOutlined } from "@ant-design/icons";
import dayjs from "dayjs";
import { useT } from "../../i18n";
import type { Conversation, Message } from "./api";
import { MessageItem, PendingItem, type ItemProps } from "./MessageItem";
import type { Pending } from "./pending";

type Row = { kind: "msg"; m: Message; showSender: boolean; day?: string; quote?: string | null } | { kind: "pending"; p: Pending };

interface Props {
  conv: Conversation;
  me: number;
  items: Message[];
  pending: Pending[];
  hasOlder: boolean;
  /** Scroll to this message and highlight it (each new `n` once). */
  focus?: { seq: number; n: number } | null;
  loadOlder: () => Promise<void>;
  handlers: Omit<ItemProps, "m" | "conv" | "me" | "showSender" | "quote">;
  onRetry: (p: Pending) => void;
  onDiscard: (p: Pending) => void;
  onAtBottom?: (atBottom: boolean) => void;
  /** Called with the first and last seq in view (receipts are refreshed for those). */
  onVisible?: (first: number, last: number) => void;
}

/** The history, virtualised (only the rows in view are in the DOM), newest at the bottom. */
export function MessageList({ conv, me, items, pending, hasOlder, focus, loadOlder, handlers, onRetry, onDiscard, onAtBottom, onVisible }: Props) {
  const t = useT();
  const scrollRef = useRef<HTMLDivElement>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const atBottom = useRef(true);
  const [showJump, setShowJump] = useState(false);

  const rows = useMemo<Row[]>(() => {
    const sent = new Set<string>();
    for (let i = Math.max(0, items.length - 300); i < items.length; i++) {
      const c = items[i].client_msg_id;
      if (c) sent.add(c);
    }
    const out: Row[] = [];
    let prev: Message | undefined;
    const bySeq = new Map<number, Message>();
    for (const m of items) bySeq.set(m.seq, m);
    const recalledQuote = t("chat.quoteRecalled");
    for (const m of items) {
      const day = !prev || !dayjs(prev.created_at).isSame(m.created_at, "day") ? dayjs(m.created_at).format("YYYY-MM-DD") : undefined;
      const showSender = conv.kind !== "direct" && conv.kind !== "devices" && (day != null || prev?.sender?.id !== m.sender?.id || prev?.kind === "system" || !!prev?.recalled);
      // A quote of a message recalled since: its text is gone, do not show the copy.
      const quote = m.reply_to_seq != null && bySeq.get(m.reply_to_seq)?.recalled ? recalledQuote : m.reply_preview;
      out.push({ kind: "msg", m, showSender, day, quote });
      prev = m;
    }
    for (const p of pending) if (!sent.has(p.client_msg_id)) out.push({ kind: "pending", p });
    return out;
  }, [items, pending, conv.kind, t]);

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 68,
    overscan: 8,
    getItemKey: (i) => {
      const r = rows[i];
      return r.kind === "msg" ? `s${r.m.seq}` : `p${r.p.client_msg_id}`;
    },
  });

  const scrollToEnd = useCallback(() => {
    if (rows.length) virtualizer.scrollToIndex(rows.length - 1, { align: "end" });
  }, [rows.length, virtualizer]);

  // Keep the view pinned to the newest message while the reader is at the bottom.
  const lastKey = rows.length ? virtualizer.options.getItemKey(rows.length - 1) : null;
  useLayoutEffect(() => {
    if (atBottom.current) {
      scrollToEnd();
      // Measured sizes arrive after the first paint: pin again.
      const raf = requestAnimationFrame(() => atBottom.current && scrollToEnd());
      return () => cancelAnimationFrame(raf);
    }
    setShowJump(true);
  }, [lastKey, scrollToEnd]);

  // Loading older pages prepends rows: keep the message that was in view where it was.
  const firstSeqRef = useRef<number | null>(null);
  const anchor = useRef<{ key: unknown; offset: number } | null>(null);
  const firstSeq = items.length ? items[0].seq : null;
  useLayoutEffect(() => {
    const a = anchor.current;
    if (a && firstSeqRef.current !== firstSeq) {
      const idx = rows.findIndex((_r, i) => virtualizer.options.getItemKey(i) === a.key);
      if (idx >= 0) {
        const start = virtualizer.getOffsetForIndex(idx, "start")?.[0] ?? 0;
        virtualizer.scrollToOffset(start - a.offset);
      }
      anchor.current = null;
    }
    firstSeqRef.current = firstSeq;
  }, [firstSeq, rows, virtualizer]);

  // A search result picked: scroll it to the middle and highlight it for a moment.
  const [focused, setFocused] = useState<number | null>(null);
  const focusDone = useRef(0);
  useEffect(() => {
    if (!focus || focusDone.current === focus.n) return;
    const idx = rows.findIndex((r) => r.kind === "msg" && r.m.seq === focus.seq);
    if (idx < 0) return;
    focusDone.current = focus.n;
    atBottom.current = false;
    onAtBottom?.(false);
    virtualizer.scrollToIndex(idx, { align: "center" });
    // Row heights are measured as they render: settle once more on the next frame.
    requestAnimationFrame(() => virtualizer.scrollToIndex(idx, { align: "center" }));
    setFocused(focus.seq);
  }, [focus, rows, virtualizer, onAtBottom]);
  useEffect(() => {
    if (focused == null) return;
    const timer = setTimeout(() => setFocused(null), 3000);
    return () => clearTimeout(timer);
  }, [focused]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    const bottom = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
    if (bottom !== atBottom.current) {
      atBottom.current = bottom;
      onAtBottom?.(bottom);
    }
    if (bottom) setShowJump(false);
    if (el.scrollTop < 300 && hasOlder && !loadingOlder) {
      const first = virtualizer.getVirtualItems()[0];
      if (first) anchor.current = { key: first.key, offset: first.start - el.scrollTop };
      setLoadingOlder(true);
      void loadOlder().finally(() => setLoadingOlder(false));
    }
  };

  useEffect(() => {
    // A short history may not fill the view: load older pages until it scrolls.
    const el = scrollRef.current;
    if (el && hasOlder && !loadingOlder && el.scrollHeight <= el.clientHeight) {
      setLoadingOlder(true);
      void loadOlder().finally(() => setLoadingOlder(false));
    }
  }, [hasOlder, loadingOlder, loadOlder, rows.length]);

  const virtualItems = virtualizer.getVirtualItems();
  const seqAt = (i: number | undefined) => {
    const r = i == null ? undefined : rows[i];
    return r && r.kind === "msg" ? r.m.seq : null;
  };
  const firstVisible = seqAt(virtualItems[0]?.index);
  const lastVisible = seqAt([...virtualItems].reverse().find((v) => rows[v.index]?.kind === "msg")?.index);
  useEffect(() => {
    if (firstVisible != null && lastVisible != null) onVisible?.(firstVisible, lastVisible);
  }, [firstVisible, lastVisible, onVisible]);

  return (
    <div className="bw-chat-scroll" ref={scrollRef} onScroll={onScroll} data-testid="chat-messages">
      {loadingOlder && (
        <div className="bw-chat-loading-older">
          <Spin size="small" />
        </div>
      )}
      {!hasOlder && items.length > 0 && <div className="bw-chat-start">{t("chat.historyStart")}</div>}
      {!hasOlder && items.length === 0 && pending.length === 0 && (
        <div className="bw-chat-start" data-testid="chat-no-messages">
          {t("chat.noMessages")}
        </div>
      )}
      <div style={{ height: virtualizer.getTotalSize(), position: "relative", width: "100%" }}>
        {virtualItems.map((v) => {
          const r = rows[v.index];
          return (
            <div
              key={v.key}
              data-index={v.index}
              ref={virtualizer.measureElement}
              style={{ position: "absolute", top: 0, left: 0, width: "100%", transform: `translateY(${v.start}px)` }}
            >
              {r.kind === "msg" ? (
                <>
                  {r.day && <div className="bw-chat-day">{r.day}</div>}
                  <div className={focused === r.m.seq ? "bw-chat-focused" : undefined} data-focused={focused === r.m.seq ? "1" : undefined}>
                    <MessageItem m={r.m} conv={conv} me={me} showSender={r.showSender} quote={r.quote} {...handlers} />
                  </div>
                </>
              ) : (
                <PendingItem p={r.p} onRetry={() => onRetry(r.p)} onDiscard={() => onDiscard(r.p)} />
              )}
            </div>
          );
        })}
      </div>
      {showJump && (
        <Button
          className="bw-chat-jump"
          shape="circle"
          icon={<DownOutlined />}
          aria-label={t("chat.jumpToLatest")}
          onClick={() => {
            atBottom.current = true;
            setShowJump(false);
            scrollToEnd();
          }}
        />
      )}
    </div>
  );
}
