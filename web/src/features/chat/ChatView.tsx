import { useCallback, useEffect, useState } from "react";
import { App, Button, Result, Spin, Typography } from "antd";
import { ArrowLeftOutlined, FireOutlined, SearchOutlined, SettingOutlined, VideoCameraOutlined } from "@ant-design/icons";
import { QuickMeeting } from "../meetings/QuickMeeting";
import { useNavigate } from "react-router-dom";
import { useQueryClient } from "@tanstack/react-query";
import { useT } from "../../i18n";
import { ApiError } from "../../api/http";
import { useSocketStatus } from "../../realtime";
import { ConnectionLine } from "../layout/ConnectionLine";
import { displayName } from "../people/parents";
import { useChatSync } from "./live";
import { lastSeq } from "./live/history";
import { useConversation, useHistory, useMembers, useMessageActions, type HistorySource, type Message } from "./api";
import { Composer, IMAGE_TYPES } from "./Composer";
import { GroupSettings } from "./GroupSettings";
import { BellOffOutlined } from "./icons";
import { MessageList } from "./MessageList";
import { burnLabel } from "./NewChatModal";
import { settleDelivered, usePending } from "./pending";
import { ReceiptPanel } from "./ReceiptPanel";
import { SearchDrawer } from "./SearchDrawer";
import { ConversationAvatar } from "./ConversationList";
import { useTn } from "../../i18n/isolate";
import { useAnnouncement, useAnnouncementLive } from "./announcement/api";
import { AnnouncementBar, AnnouncementDrawer, AnnouncementEditor } from "./announcement/Announcement";
import { NoticeBar } from "../notices/NoticeBar";
import { conversationTitle, conversationTitleNode, historyTitleNode, previewNode, previewText } from "./text";
import { useMe } from "../../api/hooks";
import { ForwardModal, MAX_MESSAGES, type ForwardRequest } from "./ForwardModal";
import { HistoryDrawer } from "./HistoryCard";
import { CallButtons } from "../calls/CallButtons";

function useDocumentVisible(): boolean {
  const [v, set] = useState(() => document.visibilityState === "visible");
  useEffect(() => {
    const on = () => set(document.visibilityState === "visible");
    document.addEventListener("visibilitychange", on);
    return () => document.removeEventListener("visibilitychange", on);
  }, []);
  return v;
}

export function ChatView({ id, me, phone, onBack }: { id: number; me: number; phone: boolean; onBack: () => void }) {
  const t = useT();
  const navigate = useNavigate();
  const tn = useTn();
  const { message } = App.useApp();
  const sync = useChatSync();
  const conv = useConversation(id);
  const history = useHistory(id);
  const members = useMembers(conv.data && conv.data.kind !== "direct" && conv.data.kind !== "devices" ? id : null);
  // Unsent messages are kept in this browser across reloads, but not those of a private chat.
  const pending = usePending(id, conv.data ? !conv.data.private : false);
  const actions = useMessageActions(id);
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [receiptOf, setReceiptOf] = useState<Message | null>(null);
  const [settings, setSettings] = useState(false);
  const [searching, setSearching] = useState(false);
  /** A message to scroll to and highlight (a search result); `n` makes each pick a new one. */
  const [focus, setFocus] = useState<{ seq: number; n: number } | null>(null);
  const [dragging, setDragging] = useState(false);
  /** My messages recalled in this tab, by seq: their text, to write again (重新编辑). */
  const [recalled, setRecalled] = useState<Map<number, string>>(() => new Map());
  const [insert, setInsert] = useState<{ text: string; n: number } | null>(null);
  /** 多选: the seqs chosen to forward (null: not selecting). */
  const [selected, setSelected] = useState<Set<number> | null>(null);
  const [forwarding, setForwarding] = useState<ForwardRequest | null>(null);
  const [openCard, setOpenCard] = useState<Message | null>(null);
  const myName = useMe().data?.name ?? "";
  const visible = useDocumentVisible();
  const groupish = !!conv.data && (conv.data.kind === "group" || conv.data.kind === "unit") && !conv.data.private;
  const announcement = useAnnouncement(id, groupish);
  useAnnouncementLive();
  /** The announcement drawer, or its editor ("new": none yet or replacing it). */
  const [announcing, setAnnouncing] = useState<"view" | "edit" | null>(null);

  useEffect(() => {
    setReplyTo(null);
    setReceiptOf(null);
    setSettings(false);
    setSearching(false);
    setFocus(null);
    setAnnouncing(null);
    setSelected(null);
    setForwarding(null);
    setOpenCard(null);
  }, [id]);

  // Reading: the conversation is open and the tab visible: mark the newest message read.
  const newest = lastSeq(history.data);
  const readSeq = conv.data?.last_read_seq ?? 0;
  useEffect(() => {
    if (sync && visible && newest > readSeq) sync.markRead(id, newest);
  }, [sync, visible, newest, readSeq, id]);

  // A message kept unsent across a reload that the server had stored after all: done.
  const qc = useQueryClient();
  useEffect(() => {
    if (history.data) settleDelivered(qc, id, history.data.items);
  }, [qc, id, history.data]);

  // Fresh counts under my messages when the conversation opens.
  useEffect(() => {
    if (sync && history.data) sync.scheduleReceipts(id, 0);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [sync, id, !!history.data]);

  const showError = useCallback((title: string) => void message.error(title), [message]);
  const onVisible = useCallback(
    (first: number, last: number) => {
      if (!sync) return;
      const prev = sync.visible.get(id);
      sync.visible.set(id, [first, last]);
      // Scrolling to other messages of mine: fetch their counts (debounced).
      if (!prev || first < prev[0] || last > prev[1]) sync.scheduleReceipts(id, 400);
    },
    [sync, id],
  );
  useEffect(() => () => void sync?.visible.delete(id), [sync, id]);
  useEffect(() => {
    if (!sync) return;
    sync.active = id;
    return () => {
      if (sync.active === id) sync.active = null;
    };
  }, [sync, id]);
  // Back online after a failed load: load again.
  const status = useSocketStatus();
  const failed = history.isError || conv.isError;
  useEffect(() => {
    if (status !== "open" || !failed) return;
    if (conv.isError) void conv.refetch();
    if (history.isError) void history.refetch();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [status, failed]);
  const loadOlder = useCallback(() => sync?.loadOlder(id) ?? Promise.resolve(), [sync, id]);

  const sendFiles = (files: File[]) => {
    for (const f of files) {
      const image = IMAGE_TYPES.includes(f.type);
      pending.send(
        {
          kind: image ? "image" : "file",
          body: null,
          mentions: [],
          reply_to_seq: null,
          reply_preview: null,
          localFile: f,
          previewUrl: image ? URL.createObjectURL(f) : undefined,
        },
        showError,
      );
    }
  };

  // Not reachable (offline, server down): say so, with what to do, never an endless spinner.
  // Offline, React Query pauses a fetch (and resumes it when the browser is back online).
  const unreachable =
    history.fetchStatus === "paused" ||
    conv.fetchStatus === "paused" ||
    [conv.error, history.error].some((e) => e instanceof ApiError && e.status === 0);
  if (!history.data && unreachable)
    return (
      <div className="bw-chat-view" data-testid="chat-unreachable">
        {phone && (
          <div className="bw-chat-header">
            <Button type="text" icon={<ArrowLeftOutlined />} onClick={onBack} aria-label={t("common.back")} data-testid="chat-back" />
            {conv.data && <Typography.Text strong ellipsis>{conversationTitleNode(conv.data, tn)}</Typography.Text>}
          </div>
        )}
        <Result
          status="warning"
          title={t("conn.cannotLoad")}
          subTitle={t("conn.cannotLoadHint")}
          extra={
            <Button
              onClick={() => {
                if (conv.isError) void conv.refetch();
                void history.refetch();
              }}
            >
              {t("common.retry")}
            </Button>
          }
        />
      </div>
    );
  if (conv.isError) return <Result status="404" title={t("chat.notFound")} extra={<Button onClick={onBack}>{t("common.back")}</Button>} />;
  if (conv.data === null) return <Result status="info" title={t("chat.gone")} extra={<Button onClick={onBack}>{t("common.back")}</Button>} />;
  if (!conv.data || !history.data)
    return (
      <div className="bw-center" style={{ flex: 1 }}>
        <Spin />
      </div>
    );
  const c = conv.data;
  const hasSettings = c.kind === "group" || c.kind === "unit" || c.kind === "direct";
  /** A message as one line: who said it and what (the forward picker's summary). */
  const oneLine = (m: Message) => (
    <>
      {m.sender ? (m.sender.id === me ? t("chat.you") : <bdi>{displayName(m.sender, t)}</bdi>) : t("chat.fwd.system")}: {previewNode(m, tn, me)}
    </>
  );
  const forwardSelected = (merged: boolean) => {
    if (!selected || selected.size === 0) return;
    const seqs = [...selected].sort((a, b) => a - b);
    const only = seqs.length === 1 ? history.data?.items.find((m) => m.seq === seqs[0]) : undefined;
    const source: HistorySource =
      c.kind === "group" || c.kind === "unit"
        ? { kind: "group", name: conversationTitle(c, t), people: [] }
        : { kind: "people", name: null, people: c.peer ? [{ name: myName }, c.peer] : [{ name: myName }] };
    const summary = merged
      ? tn("chat.fwd.whatMerged", { title: historyTitleNode(source, tn) })
      : only
        ? oneLine(only)
        : t("chat.fwd.whatOne", { n: seqs.length });
    setForwarding({ from: id, seqs, merged, summary });
  };

  return (
    <div
      className={`bw-chat-view${dragging ? " bw-chat-dragging" : ""}`}
      data-testid="chat-view"
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes("Files")) {
          e.preventDefault();
          setDragging(true);
        }
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) setDragging(false);
      }}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        const files = Array.from(e.dataTransfer.files);
        if (files.length) sendFiles(files);
      }}
    >
      <div className="bw-chat-header">
        {phone && <Button type="text" icon={<ArrowLeftOutlined />} onClick={onBack} aria-label={t("common.back")} data-testid="chat-back" />}
        <ConversationAvatar c={c} size={32} />
        <div className="bw-chat-header-title">
          <Typography.Text strong ellipsis data-testid="chat-title">
            {conversationTitleNode(c, tn)}
          </Typography.Text>
          <span className="bw-chat-header-sub">
            {c.private ? (
              <>
                <FireOutlined /> {t("chat.privateSub", { time: burnLabel(c.burn_seconds ?? 30, t) })}
              </>
            ) : c.kind === "group" || c.kind === "unit" ? (
              t("chat.membersCount", { n: c.member_count })
            ) : c.peer?.parent_of ? (
              <bdi data-testid="chat-peer-parent">{displayName(c.peer, t)}</bdi>
            ) : null}
            {c.muted && <BellOffOutlined style={{ marginLeft: 6 }} aria-label={t("chat.muted")} title={t("chat.muted")} />}
          </span>
        </div>
        {c.kind === "unit" && c.unit_id != null && c.my_role !== "member" && (
          <Button type="text" icon={<VideoCameraOutlined />} onClick={() => navigate(`/lessons?unit=${c.unit_id}`)} aria-label={t("lessons.new")} title={t("lessons.new")} data-testid="chat-lesson-new" />
        )}
        {groupish && <QuickMeeting conversationId={c.id} name={c.name ?? ""} />}
        {c.kind === "direct" && !c.private && c.peer && c.peer.id !== me && <CallButtons personId={c.peer.id} compact />}
        <Button type="text" icon={<SearchOutlined />} onClick={() => setSearching(true)} aria-label={t("chat.search")} title={t("chat.search")} data-testid="chat-search-open" />
        {hasSettings && (
          <Button type="text" icon={<SettingOutlined />} onClick={() => setSettings(true)} aria-label={t("chat.settings")} data-testid="chat-settings-open" />
        )}
      </div>
      {phone && <ConnectionLine testId="chat-view-offline" />}
      {groupish && announcement.data?.announcement && (
        <AnnouncementBar a={announcement.data.announcement} me={me} onOpen={() => setAnnouncing("view")} />
      )}
      {c.kind === "unit" && c.unit_id != null && <NoticeBar unitId={c.unit_id} />}
      <MessageList
        conv={c}
        me={me}
        items={history.data.items}
        pending={pending.items}
        hasOlder={history.data.hasOlder}
        focus={focus}
        loadOlder={loadOlder}
        onVisible={onVisible}
        onRetry={(p) => void pending.retry(p, showError)}
        onDiscard={(p) => pending.remove(p.client_msg_id)}
        handlers={{
          onReply: setReplyTo,
          onRecall: (m) =>
            actions.recall.mutate(m.seq, {
              onSuccess: () => {
                if (m.body && m.kind === "text") setRecalled((r) => new Map(r).set(m.seq, m.body!));
              },
              onError: (e) => showError(e.message),
            }),
          recalledText: (m) => recalled.get(m.seq),
          onReedit: (text) => setInsert((i) => ({ text, n: (i?.n ?? 0) + 1 })),
          onOpenPrivate: (m) => actions.open.mutate(m.seq, { onError: (e) => showError(e.message) }),
          onReceipt: setReceiptOf,
          onAnnouncement: groupish ? () => setAnnouncing("view") : undefined,
          onForward: (m) => setForwarding({ from: id, seqs: [m.seq], merged: false, summary: oneLine(m) }),
          onSelect: (m) => setSelected(new Set([m.seq])),
          onOpenCard: setOpenCard,
          selected,
          onToggle: (m) =>
            setSelected((s) => {
              const next = new Set(s);
              if (next.has(m.seq)) next.delete(m.seq);
              else if (next.size >= MAX_MESSAGES) showError(t("chat.fwd.maxMessages", { n: MAX_MESSAGES }));
              else next.add(m.seq);
              return next;
            }),
        }}
      />
      {selected ? (
        <div className="bw-chat-selectbar" data-testid="chat-selectbar">
          <div className="bw-chat-selectbar-info">
            <span className="bw-chat-selectbar-count">{t("chat.fwd.selected", { n: selected.size })}</span>
            <Button type="text" onClick={() => setSelected(null)} data-testid="chat-select-cancel">
              {t("common.cancel")}
            </Button>
          </div>
          <div className="bw-chat-selectbar-actions">
            <Button disabled={selected.size === 0} onClick={() => forwardSelected(false)} data-testid="chat-forward-one-by-one">
              {t("chat.fwd.oneByOne")}
            </Button>
            <Button type="primary" disabled={selected.size === 0} onClick={() => forwardSelected(true)} data-testid="chat-forward-merged">
              {t("chat.fwd.merged")}
            </Button>
          </div>
        </div>
      ) : (
      <Composer
        phone={phone}
        conv={c}
        me={me}
        members={members.data ?? []}
        replyTo={replyTo}
        insert={insert}
        onCancelReply={() => setReplyTo(null)}
        onFiles={sendFiles}
        onVoice={(file, ms) =>
          pending.send(
            { kind: "voice", body: null, mentions: [], reply_to_seq: null, reply_preview: null, localFile: file, duration_ms: ms },
            showError,
          )
        }
        onVoiceError={(key) => showError(t(key))}
        onSend={(d) => {
          pending.send(
            {
              kind: "text",
              body: d.body,
              mentions: d.mentions,
              reply_to_seq: replyTo?.seq ?? null,
              reply_preview: replyTo ? previewText(replyTo, t, me) : null,
            },
            showError,
          );
          setReplyTo(null);
        }}
      />
      )}
      {forwarding && (
        <ForwardModal
          req={forwarding}
          phone={phone}
          onClose={() => setForwarding(null)}
          onDone={() => {
            setForwarding(null);
            setSelected(null);
          }}
        />
      )}
      {openCard && <HistoryDrawer conversationId={id} m={openCard} phone={phone} onClose={() => setOpenCard(null)} />}
      {dragging && <div className="bw-chat-dropzone">{t("chat.dropHere")}</div>}
      {receiptOf && <ReceiptPanel conversationId={id} message={receiptOf} onClose={() => setReceiptOf(null)} phone={phone} members={members.data} />}
      {searching && (
        <SearchDrawer
          id={id}
          me={me}
          phone={phone}
          onClose={() => setSearching(false)}
          onPick={(m) => {
            setSearching(false);
            // Not loaded yet: load the older pages down to it, then scroll to it.
            void (sync?.loadThrough(id, m.seq) ?? Promise.resolve()).then(
              () => setFocus((f) => ({ seq: m.seq, n: (f?.n ?? 0) + 1 })),
              (e: Error) => showError(e.message),
            );
          }}
        />
      )}
      {announcing === "view" && announcement.data?.announcement && (
        <AnnouncementDrawer
          id={id}
          a={announcement.data.announcement}
          me={me}
          phone={phone}
          onClose={() => setAnnouncing(null)}
          onEdit={() => setAnnouncing("edit")}
        />
      )}
      {announcing === "edit" && (
        <AnnouncementEditor
          id={id}
          current={announcement.data?.announcement ?? null}
          onClose={() => setAnnouncing(announcement.data?.announcement ? "view" : null)}
          onDone={() => setAnnouncing(null)}
        />
      )}
      {settings && (
        <GroupSettings
          conv={c}
          me={me}
          phone={phone}
          onClose={() => setSettings(false)}
          onGone={() => { setSettings(false); onBack(); }}
          announcement={groupish ? (announcement.data ?? null) : null}
          onAnnouncement={(edit) => {
            setSettings(false);
            setAnnouncing(edit ? "edit" : "view");
          }}
        />
      )}
    </div>
  );
}
