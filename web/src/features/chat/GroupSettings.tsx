import { useRef, useState } from "react";
import { Alert, App, Avatar, Button, Drawer, Input, List, Popconfirm, Select, Space, Switch, Tag, Typography } from "antd";
import { ApiError } from "../../api/http";
import { useT } from "../../i18n";
import { PersonSelect } from "../people/PersonSelect";
import { useGroupActions, useMembers, useOwnSettings, type Conversation } from "./api";
import { IMAGE_TYPES } from "./Composer";
import { ConversationAvatar } from "./ConversationList";
import { BURN_CHOICES, burnLabel } from "./NewChatModal";
import { useTn } from "../../i18n/isolate";
import { conversationTitleNode } from "./text";
import { displayName } from "../people/parents";
import type { AnnouncementState } from "./announcement/api";
import { InviteModal, JoinModeSelect, JoinRequests } from "./invite/Invite";
import { QrcodeOutlined } from "@ant-design/icons";

/** Name, members and roles; add/remove, admins, hand over, leave, dissolve. */
export function GroupSettings({
  conv,
  me,
  onClose,
  onGone,
  phone,
  announcement,
  onAnnouncement,
}: {
  conv: Conversation;
  me: number;
  onClose: () => void;
  onGone: () => void;
  phone: boolean;
  /** The group's announcement (群公告), for groups; `onAnnouncement(edit)` opens it or its editor. */
  announcement?: AnnouncementState | null;
  onAnnouncement?: (edit: boolean) => void;
}) {
  const t = useT();
  const tn = useTn();
  const { message, modal } = App.useApp();
  const members = useMembers(conv.id);
  const a = useGroupActions(conv.id);
  const own = useOwnSettings();
  const [name, setName] = useState(conv.name);
  const [error, setError] = useState<string | null>(null);
  const [inviting, setInviting] = useState(false);
  const avatarInput = useRef<HTMLInputElement>(null);
  const isGroup = conv.kind === "group";
  const isUnit = conv.kind === "unit";
  const admin = conv.my_role === "owner" || conv.my_role === "admin";
  const owner = conv.my_role === "owner";
  const fail = (e: unknown) => setError(e instanceof ApiError ? e.problem.title : String(e));
  const ok = { onError: fail, onSuccess: () => setError(null) };
  const roleLabel = (r: string) => (r === "owner" ? t("chat.roleOwner") : r === "admin" ? t("chat.roleAdmin") : null);

  return (
    <Drawer open onClose={onClose} title={t("chat.settings")} size={phone ? "100%" : 400} data-testid="chat-settings">
      <Space direction="vertical" style={{ width: "100%" }} size="middle">
        {error && <Alert type="error" showIcon message={error} data-testid="chat-settings-error" closable onClose={() => setError(null)} />}
        <div>
          <Typography.Text type="secondary">{isGroup || isUnit ? t("chat.groupName") : t("chat.chatWith")}</Typography.Text>
          {(isGroup || isUnit) && admin && isGroup ? (
            <Space.Compact style={{ width: "100%" }}>
              <Input value={name} maxLength={100} onChange={(e) => setName(e.target.value)} data-testid="chat-rename-input" />
              <Button
                type="primary"
                disabled={!name.trim() || name === conv.name}
                loading={a.rename.isPending}
                onClick={() => a.rename.mutate(name.trim(), { ...ok, onSuccess: () => void message.success(t("common.saved")) })}
              >
                {t("common.save")}
              </Button>
            </Space.Compact>
          ) : (
            <div style={{ fontWeight: 500 }}>{conversationTitleNode(conv, tn)}</div>
          )}
        </div>
        {isGroup && admin && (
          <div data-testid="chat-avatar">
            <Typography.Text type="secondary">{t("chat.groupAvatar")}</Typography.Text>
            <div className="bw-chat-avatar-row">
              <ConversationAvatar c={conv} size={48} />
              <Button loading={a.avatar.isPending} onClick={() => avatarInput.current?.click()} data-testid="chat-avatar-change">
                {t("chat.changeAvatar")}
              </Button>
              {conv.avatar_file_id != null && (
                <a onClick={() => a.avatar.mutate(null, ok)} data-testid="chat-avatar-remove">
                  {t("chat.removeAvatar")}
                </a>
              )}
              <input
                ref={avatarInput}
                type="file"
                accept={IMAGE_TYPES.join(",")}
                hidden
                data-testid="chat-avatar-input"
                onChange={(e) => {
                  const f = e.target.files?.[0];
                  e.target.value = "";
                  if (!f) return;
                  if (!IMAGE_TYPES.includes(f.type)) return setError(t("chat.avatarOnlyImages"));
                  a.avatar.mutate(f, { ...ok, onSuccess: () => (setError(null), void message.success(t("common.saved"))) });
                }}
              />
            </div>
          </div>
        )}
        {conv.private && (
          <div>
            <Typography.Text type="secondary">{t("chat.burnAfter")}</Typography.Text>
            <Select
              style={{ width: "100%" }}
              data-testid="chat-burn-select"
              value={conv.burn_seconds ?? 30}
              loading={a.burn.isPending}
              onChange={(s: number) => a.burn.mutate(s, { ...ok, onSuccess: () => void message.success(t("common.saved")) })}
              options={BURN_CHOICES.map((s) => ({ value: s, label: burnLabel(s, t) }))}
            />
          </div>
        )}
        {announcement && onAnnouncement && (
          <div data-testid="chat-settings-announcement">
            <Typography.Text type="secondary">{t("announce.title")}</Typography.Text>
            {announcement.announcement ? (
              <a className="bw-announce-setting" onClick={() => onAnnouncement(false)}>
                <Typography.Paragraph ellipsis={{ rows: 2 }} style={{ marginBottom: 0 }}>
                  <bdi>{announcement.announcement.body}</bdi>
                </Typography.Paragraph>
              </a>
            ) : (
              <div>
                <Typography.Text type="secondary">{t("announce.none")}</Typography.Text>
              </div>
            )}
            {announcement.can_edit && (
              <Button size="small" style={{ marginTop: 4 }} onClick={() => onAnnouncement(true)} data-testid="chat-announcement-new">
                {announcement.announcement ? t("announce.edit") : t("announce.new")}
              </Button>
            )}
          </div>
        )}
        {isUnit && <Alert type="info" showIcon message={t("chat.unitFollowsRoster")} />}
        {isGroup && (admin || conv.join_mode !== "off") && (
          <Button icon={<QrcodeOutlined />} onClick={() => setInviting(true)} data-testid="chat-invite-open">
            {t("invite.title")}
          </Button>
        )}
        {isGroup && admin && (
          <JoinModeSelect conv={conv} loading={a.joinMode.isPending} onChange={(m) => a.joinMode.mutate(m, { ...ok, onSuccess: () => void message.success(t("common.saved")) })} />
        )}
        {isGroup && admin && <JoinRequests conv={conv} />}
        {inviting && <InviteModal conv={conv} admin={admin} onClose={() => setInviting(false)} />}
        <Space direction="vertical" size={12}>
          <Space>
            <Switch checked={conv.pinned} loading={own.pin.isPending} onChange={(v) => own.pin.mutate({ id: conv.id, pinned: v }, ok)} data-testid="chat-pin" />
            {t("chat.pin")}
          </Space>
          <Space>
            <Switch checked={conv.muted} loading={own.mute.isPending} onChange={(v) => own.mute.mutate({ id: conv.id, muted: v }, ok)} data-testid="chat-mute" />
            {t("chat.mute")}
          </Space>
        </Space>
        {(isGroup || isUnit) && (
          <div>
            <Typography.Text type="secondary">
              {t("chat.membersCount", { n: conv.member_count })}
            </Typography.Text>
            {isGroup && admin && (
              <div className="bw-chat-add-member" data-testid="chat-add-member">
                <PersonSelect
                  value={null}
                  placeholder={t("chat.addPeople")}
                  exclude={members.data?.map((m) => m.person.id)}
                  onChange={(id) => a.add.mutate([id], ok)}
                />
              </div>
            )}
            <List
              size="small"
              loading={members.isPending}
              dataSource={members.data ?? []}
              renderItem={(m) => {
                const self = m.person.id === me;
                const acts = [];
                if (isGroup && !self) {
                  if (owner) {
                    acts.push(
                      <a key="role" onClick={() => a.role.mutate({ person_id: m.person.id, role: m.role === "admin" ? "member" : "admin" }, ok)}>
                        {m.role === "admin" ? t("chat.unmakeAdmin") : t("chat.makeAdmin")}
                      </a>,
                      <Popconfirm
                        key="owner"
                        title={tn("chat.transferConfirm", { name: displayName(m.person, t) })}
                        okText={t("common.confirm")}
                        cancelText={t("common.cancel")}
                        onConfirm={() => a.role.mutateAsync({ person_id: m.person.id, role: "owner" }).catch(fail)}
                      >
                        <a>{t("chat.transfer")}</a>
                      </Popconfirm>,
                    );
                  }
                  if ((owner && m.role !== "owner") || (admin && m.role === "member")) {
                    acts.push(
                      <Popconfirm
                        key="remove"
                        title={tn("chat.removeConfirm", { name: displayName(m.person, t) })}
                        okText={t("common.confirm")}
                        cancelText={t("common.cancel")}
                        onConfirm={() => a.remove.mutateAsync(m.person.id).catch(fail)}
                      >
                        <a style={{ color: "#ff4d4f" }}>{t("common.remove")}</a>
                      </Popconfirm>,
                    );
                  }
                }
                return (
                  <List.Item style={{ paddingInline: 0 }} data-testid="chat-member">
                    <div className="bw-chat-member">
                      <span className="bw-chat-member-name">
                        <Avatar size="small" style={{ background: "#87a8d0" }}>
                          {displayName(m.person, t).slice(0, 1)}
                        </Avatar>
                        <bdi>{displayName(m.person, t)}</bdi>
                        {m.person.parent_of && (
                          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                            <bdi>{m.person.name}</bdi>
                          </Typography.Text>
                        )}
                        {roleLabel(m.role) && <Tag color={m.role === "owner" ? "gold" : "blue"}>{roleLabel(m.role)}</Tag>}
                      </span>
                      {acts.length > 0 && <span className="bw-chat-member-actions">{acts}</span>}
                    </div>
                  </List.Item>
                );
              }}
            />
          </div>
        )}
        {isGroup && (
          <Space wrap>
            <Button
              danger
              data-testid="chat-leave"
              onClick={() =>
                modal.confirm({
                  title: t("chat.leaveConfirm"),
                  okText: t("common.confirm"),
                  cancelText: t("common.cancel"),
                  onOk: () => a.leave.mutateAsync().then(onGone, fail),
                })
              }
            >
              {t("chat.leave")}
            </Button>
            {owner && (
              <Button
                danger
                type="primary"
                data-testid="chat-dissolve"
                onClick={() =>
                  modal.confirm({
                    title: t("chat.dissolveConfirm"),
                    okText: t("common.confirm"),
                    okButtonProps: { danger: true },
                    cancelText: t("common.cancel"),
                    onOk: () => a.dissolve.mutateAsync().then(onGone, fail),
                  })
                }
              >
                {t("chat.dissolve")}
              </Button>
            )}
          </Space>
        )}
      </Space>
    </Drawer>
  );
}
