import { useCallback, useEffect, useRef, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { Avatar, Badge, Button, Dropdown, Empty, Spin, Typography } from "antd";
import {
  DesktopOutlined,
  FireOutlined,
  MessageOutlined,
  PlusOutlined,
  SoundOutlined,
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
import { useConversations, useListCursor, useOpenConversation, type Conversation } from "./api";
import { useDrafts } from "./drafts";
import { useTn } from "../../i18n/isolate";
import { conversationTitleNode, listPreviewNode, listTime } from "./text";
import { NewChatModal, type NewChatMode } from "./NewChatModal";

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
    <Avatar size={size} style={{ background: color, flex: "none" }} icon={icon}>
      {icon ? undefined : (c.peer?.name ?? c.name).slice(0, 1)}
    </Avatar>
  );
}

export function ConversationList({ activeId, onOpen }: { activeId: number | null; onOpen: (id: number) => void }) {
  const t = useT();
  const tn = useTn();
  const me = useMe().data;
  const drafts = useDrafts(me?.id);
  const list = useConversations();
  const open = useOpenConversation();
  const [mode, setMode] = useState<NewChatMode | null>(null);
  const hasDevices = list.data?.some((c) => c.kind === "devices");
  const more = useLoadMore(list.data?.length ?? 0, list.isFetching);

  return (
    <div className="bw-chat-list" data-testid="chat-list">
      <div className="bw-chat-list-head">
        <Typography.Title level={5} style={{ margin: 0 }}>
          {t("chat.title")}
        </Typography.Title>
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
          <div
            key={c.id}
            role="listitem"
            className={`bw-chat-item${c.id === activeId ? " bw-chat-item-active" : ""}`}
            data-testid={`chat-item-${c.id}`}
            data-kind={c.kind}
            onClick={() => onOpen(c.id)}
          >
            <Badge count={c.muted ? 0 : c.unread} dot={c.muted && c.unread > 0} size="small" overflowCount={99}>
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
                <span className="bw-chat-item-time">{c.last_message ? listTime(c.last_message_at) : ""}</span>
              </div>
              <div className="bw-chat-item-preview">
                {drafts[c.id] && c.id !== activeId ? (
                  <span data-testid="chat-draft">
                    <span className="bw-chat-draft">{t("chat.draft")}</span> <bdi>{drafts[c.id]}</bdi>
                  </span>
                ) : (
                  <span>{listPreviewNode(c, tn, me?.id)}</span>
                )}
                {c.muted && <SoundOutlined className="bw-chat-muted" aria-label={t("chat.muted")} title={t("chat.muted")} />}
              </div>
            </div>
          </div>
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
