import { useCallback, useEffect, useRef, useState, type TouchEvent } from "react";
import { useNavigate } from "react-router-dom";
import { useQueryClient } from "@tanstack/react-query";
import { App, Avatar, Badge, Button, Dropdown, Empty, Spin, Typography } from "antd";
import {
  BellOutlined,
  DesktopOutlined,
  EllipsisOutlined,
  FireOutlined,
  MessageOutlined,
  PlusOutlined,
  PushpinFilled,
  PushpinOutlined,
  TeamOutlined,
  UserOutlined,
  ApartmentOutlined,
  UsergroupAddOutlined,
  LockOutlined,
} from "@ant-design/icons";
import { useMe } from "../../api/hooks";
import { useT } from "../../i18n";
import { ConnectionLine } from "../layout/ConnectionLine";
import { loadMoreConversations } from "./live/sync";
import { useConversations, useListCursor, useOpenConversation, useOwnSettings, type Conversation } from "./api";
import { errorText } from "../../app/errors";
import { mentionMarker } from "./live/history";
import { BellOffOutlined } from "./icons";
import { useDrafts } from "./drafts";
import { useTn } from "../../i18n/isolate";
import { conversationTitleNode, listPreviewNode, listTime } from "./text";
import { NewChatModal, type NewChatMode } from "./NewChatModal";
import { photoSrc } from "../people/photo";

const COLORS: Record<Conversation["kind"], string> = {
  direct: "#1677ff",
  group: "#13a8a8",
  unit: "#fa8c16",
  devices: "#722ed1",
};

export function ConversationAvatar({ c, size = 40 }: { c: Conversation; size?: number }) {
  const icon =
    c.kind === "devices" ? <DesktopOutlined /> : c.kind === "unit" ? <ApartmentOutlined /> : c.kind === "group" ? <TeamOutlined /> : c.private ? <FireOutlined /> : undefined;
  const color = c.private ? "#f5222d" : COLORS[c.kind];
  if (c.avatar_file_id)
    return <Avatar size={size} src={`/api/v1/files/${c.avatar_file_id}/thumbnail`} alt={c.name} style={{ flex: "none" }} data-testid="chat-avatar-img" />;
  return (
    <Avatar size={size} src={icon ? undefined : photoSrc(c.peer?.photo_url, size)} alt="" style={{ background: color, flex: "none" }} icon={icon}>
      {icon ? undefined : (c.peer?.name ?? c.name).slice(0, 1)}
    </Avatar>
  );
}

export function ConversationList({ activeId, onOpen }: { activeId: number | null; onOpen: (id: number) => void }) {
  const t = useT();
  const me = useMe().data;
  const drafts = useDrafts(me?.id);
  const list = useConversations();
  const open = useOpenConversation();
  const [mode, setMode] = useState<NewChatMode | null>(null);
  /** The conversation whose menu (pin, mute) is open: right click, long press or its "…". */
  const [menuFor, setMenuFor] = useState<number | null>(null);
  const own = useOwnSettings();
  const { message } = App.useApp();
  const act = (action: ItemAction, c: Conversation) => {
    const failed = (e: Error) => void message.error(errorText(e, t));
    if (action === "pin") own.pin.mutate({ id: c.id, pinned: !c.pinned }, { onError: failed });
    else own.mute.mutate({ id: c.id, muted: !c.muted }, { onError: failed });
  };
  const hasDevices = list.data?.some((c) => c.kind === "devices");
  const more = useLoadMore(list.data?.length ?? 0, list.isFetching);
  const navigate = useNavigate();

  return (
    <div className="bw-chat-list" data-testid="chat-list">
      <div className="bw-chat-list-head">
        <Typography.Title level={5} style={{ margin: 0 }}>
          {t("chat.title")}
        </Typography.Title>
        <span className="bw-chat-list-tools">
        <Button
          type="text"
          shape="circle"
          icon={<BellOutlined />}
          aria-label={t("chat.notify.title")}
          title={t("chat.notify.title")}
          onClick={() => navigate("/settings/notifications")}
          data-testid="chat-notify-settings"
        />
        <Dropdown
          trigger={["click"]}
          menu={{
            items: [
              { key: "direct", icon: <UserOutlined />, label: t("chat.newDirect") },
              { key: "private", icon: <LockOutlined />, label: t("chat.newPrivate") },
              { key: "group", icon: <UsergroupAddOutlined />, label: t("chat.newGroup") },
              { key: "unit", icon: <ApartmentOutlined />, label: t("chat.openUnitGroup") },
            ],
            onClick: (e) => setMode(e.key as NewChatMode),
          }}
        >
          <Button type="primary" shape="circle" icon={<PlusOutlined />} aria-label={t("chat.new")} data-testid="chat-new" />
        </Dropdown>
        </span>
      </div>
      <ConnectionLine testId="chat-offline" />
      <div className="bw-chat-list-items" role="list" ref={more.box} onScroll={more.onScroll}>
        {!hasDevices && (
          <div
            role="listitem"
            className="bw-chat-item"
            data-testid="chat-devices"
            onClick={() => open.devices.mutate(undefined, { onSuccess: (c) => onOpen(c.id) })}
          >
            <Avatar size={40} style={{ background: COLORS.devices, flex: "none" }} icon={<DesktopOutlined />} />
            <div className="bw-chat-item-main">
              <div className="bw-chat-item-top">
                <span className="bw-chat-item-name">{t("chat.myDevices")}</span>
              </div>
              <div className="bw-chat-item-preview">{t("chat.myDevicesHint")}</div>
            </div>
          </div>
        )}
        {list.isPending && (
          <div className="bw-center" style={{ padding: 24 }}>
            <Spin />
          </div>
        )}
        {list.data?.map((c) => (
          <ConversationItem
            key={c.id}
            c={c}
            active={c.id === activeId}
            draft={c.id !== activeId ? drafts[c.id] : undefined}
            me={me?.id}
            menuOpen={menuFor === c.id}
            onMenu={(open) => setMenuFor(open ? c.id : null)}
            onAction={act}
            onOpen={onOpen}
          />
        ))}
        {more.loading && (
          <div className="bw-center" style={{ padding: 12 }} data-testid="chat-list-more">
            <Spin size="small" />
          </div>
        )}
        {more.failed && (
          <div className="bw-center" style={{ padding: 12 }}>
            <Button type="link" onClick={more.retry} data-testid="chat-list-retry">
              {t("chat.listLoadFailed")}
            </Button>
          </div>
        )}
        {list.data && list.data.length === 0 && (
          <Empty image={<MessageOutlined style={{ fontSize: 40, color: "#bbb" }} />} description={t("chat.emptyList")} />
        )}
      </div>
      {mode && <NewChatModal mode={mode} onClose={() => setMode(null)} onOpened={(id) => { setMode(null); onOpen(id); }} />}
    </div>
  );
}

type ItemAction = "pin" | "mute";

/** How long a finger rests on a conversation before its menu opens (a phone's long press). */
const LONG_PRESS_MS = 500;

/**
 * One conversation in the list: avatar with its unread badge (grey for a muted one), name, time,
 * the "[有人@我]" / "[@所有人]" marker before the preview, the pin and mute marks. Its menu (pin,
 * mute) opens on a right click, a long press, or the "…" button shown on hover.
 */
function ConversationItem({
  c,
  active,
  draft,
  me,
  menuOpen,
  onMenu,
  onAction,
  onOpen,
}: {
  c: Conversation;
  active: boolean;
  draft: string | undefined;
  me: number | undefined;
  menuOpen: boolean;
  onMenu: (open: boolean) => void;
  onAction: (action: ItemAction, c: Conversation) => void;
  onOpen: (id: number) => void;
}) {
  const t = useT();
  const tn = useTn();
  const marker = mentionMarker(c);
  const press = useRef<{ timer: ReturnType<typeof setTimeout> | null; x: number; y: number; fired: boolean }>({ timer: null, x: 0, y: 0, fired: false });
  const stop = () => {
    if (press.current.timer) clearTimeout(press.current.timer);
    press.current.timer = null;
  };
  const touch = {
    onTouchStart: (e: TouchEvent) => {
      const p = e.touches[0];
      press.current = { timer: null, x: p.clientX, y: p.clientY, fired: false };
      press.current.timer = setTimeout(() => {
        press.current.fired = true;
        onMenu(true);
      }, LONG_PRESS_MS);
    },
    onTouchMove: (e: TouchEvent) => {
      const p = e.touches[0];
      if (Math.abs(p.clientX - press.current.x) > 10 || Math.abs(p.clientY - press.current.y) > 10) stop();
    },
    onTouchEnd: (e: TouchEvent) => {
      stop();
      if (press.current.fired) e.preventDefault(); // the press opened the menu: no click after it
    },
    onTouchCancel: stop,
  };
  const items = [
    {
      key: "pin",
      icon: <PushpinOutlined />,
      label: <span data-testid="chat-menu-pin">{c.pinned ? t("chat.unpin") : t("chat.pin")}</span>,
    },
    {
      key: "mute",
      icon: c.muted ? <BellOutlined /> : <BellOffOutlined />,
      label: <span data-testid="chat-menu-mute">{c.muted ? t("chat.unmuteAction") : t("chat.muteAction")}</span>,
    },
  ];
  return (
    <Dropdown
      trigger={["contextMenu"]}
      open={menuOpen}
      onOpenChange={onMenu}
      menu={{
        items,
        onClick: ({ key, domEvent }) => {
          domEvent.stopPropagation();
          onMenu(false);
          onAction(key as ItemAction, c);
        },
      }}
    >
      <div
        role="listitem"
        className={`bw-chat-item${active ? " bw-chat-item-active" : ""}${c.pinned ? " bw-chat-item-pinned" : ""}`}
        data-testid={`chat-item-${c.id}`}
        data-kind={c.kind}
        data-pinned={c.pinned || undefined}
        data-muted={c.muted || undefined}
        onClick={() => {
          if (press.current.fired) {
            press.current.fired = false;
            return;
          }
          onOpen(c.id);
        }}
        {...touch}
      >
        <Badge
          count={c.unread}
          dot={c.muted}
          color={c.muted ? "#bfbfbf" : undefined}
          size="small"
          overflowCount={99}
          data-testid={c.muted && c.unread > 0 ? "chat-badge-muted" : undefined}
        >
          <ConversationAvatar c={c} />
        </Badge>
        <div className="bw-chat-item-main">
          <div className="bw-chat-item-top">
            <span className="bw-chat-item-name">
              {conversationTitleNode(c, tn)}
              {c.kind === "unit" && c.unit_kind !== "class" && (
                <span className="bw-chat-tag" data-testid="chat-unit-tag">
                  {t("chat.unitTagInternal")}
                </span>
              )}
              {c.private && <span className="bw-chat-tag bw-chat-tag-red">{t("chat.privateTag")}</span>}
            </span>
            <span className="bw-chat-item-time">
              {c.pinned && <PushpinFilled className="bw-chat-pin" aria-label={t("chat.pinned")} title={t("chat.pinned")} data-testid="chat-pin-mark" />}
              {c.last_message ? listTime(c.last_message_at) : ""}
            </span>
          </div>
          <div className="bw-chat-item-preview">
            <span>
              {marker && (
                <span className="bw-chat-marker" data-testid="chat-marker" data-marker={marker}>
                  {t(marker === "me" ? "chat.markerMe" : "chat.markerAll")}
                </span>
              )}
              {draft ? (
                <span data-testid="chat-draft">
                  <span className="bw-chat-draft">{t("chat.draft")}</span> <bdi>{draft}</bdi>
                </span>
              ) : (
                listPreviewNode(c, tn, me)
              )}
            </span>
            {c.muted && <BellOffOutlined className="bw-chat-muted" aria-label={t("chat.muted")} title={t("chat.muted")} data-testid="chat-muted-mark" />}
          </div>
        </div>
        <Button
          className="bw-chat-item-more"
          type="text"
          size="small"
          icon={<EllipsisOutlined />}
          aria-label={t("chat.itemMenu")}
          title={t("chat.itemMenu")}
          data-testid={`chat-item-more-${c.id}`}
          onClick={(e) => {
            e.stopPropagation();
            onMenu(!menuOpen);
          }}
        />
      </div>
    </Dropdown>
  );
}

/**
 * Loads the next page of conversations when the list is scrolled near its end (or does not fill
 * its box). After a failure it waits for the reader to scroll or tap retry.
 */
function useLoadMore(loaded: number, listFetching: boolean) {
  const qc = useQueryClient();
  const box = useRef<HTMLDivElement>(null);
  const hasMore = !!useListCursor().data?.cursor;
  const [loading, setLoading] = useState(false);
  const [failed, setFailed] = useState(false);
  const load = useCallback(
    (force: boolean) => {
      const el = box.current;
      // While the list itself is (re)fetched, wait: it sets where the next page starts.
      if (!el || !hasMore || loading || listFetching || (failed && !force)) return;
      if (el.scrollTop + el.clientHeight < el.scrollHeight - 160) return;
      setLoading(true);
      setFailed(false);
      loadMoreConversations(qc)
        .catch(() => setFailed(true))
        .finally(() => setLoading(false));
    },
    [qc, hasMore, loading, failed, listFetching],
  );
  useEffect(() => load(false), [load, loaded]);
  return { box, loading, failed: failed && hasMore, onScroll: () => load(true), retry: () => load(true) };
}
