/**
 * 扫码入群 in a group's settings: its QR code and link (any member while the group takes people
 * by code), the admission setting and a fresh code (owner and admins), and the requests to join.
 */
import { useState } from "react";
import { Alert, App, Avatar, Button, List, Modal, QRCode, Select, Space, Spin, Typography } from "antd";
import { CopyOutlined, ReloadOutlined } from "@ant-design/icons";
import dayjs from "dayjs";
import { ApiError } from "../../../api/http";
import { useT } from "../../../i18n";
import { displayName } from "../../people/parents";
import type { Conversation } from "../api";
import { joinUrl, useInvite, useInviteActions, useJoinRequests, type JoinMode } from "./api";

export function joinModeOptions(t: ReturnType<typeof useT>): { value: JoinMode; label: string }[] {
  return [
    { value: "open", label: t("invite.modeOpen") },
    { value: "approval", label: t("invite.modeApproval") },
    { value: "off", label: t("invite.modeOff") },
  ];
}

/** The group's QR code and link in a dialog. */
export function InviteModal({ conv, admin, onClose }: { conv: Conversation; admin: boolean; onClose: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const invite = useInvite(conv.id, true);
  const act = useInviteActions(conv.id);
  const [error, setError] = useState<string | null>(null);
  const url = invite.data ? joinUrl(invite.data.code) : "";
  const problem = invite.error instanceof ApiError ? invite.error.problem.title : invite.error ? String(invite.error) : null;
  return (
    <Modal open onCancel={onClose} footer={null} title={t("invite.title")} width={360} data-testid="invite-modal">
      {invite.isPending ? (
        <Spin />
      ) : problem ? (
        <Alert type="warning" showIcon message={problem} data-testid="invite-error" />
      ) : (
        <Space direction="vertical" align="center" style={{ width: "100%" }} size={12}>
          {error && <Alert type="error" showIcon message={error} />}
          <Typography.Text strong>{conv.name}</Typography.Text>
          <QRCode value={url} size={220} data-testid="invite-qr" />
          <Typography.Text type="secondary" style={{ textAlign: "center" }}>
            {conv.join_mode === "open" ? t("invite.scanOpen") : conv.join_mode === "approval" ? t("invite.scanApproval") : t("invite.scanOff")}
          </Typography.Text>
          <Typography.Text type="secondary" data-testid="invite-expires">
            {t("invite.expires", { time: dayjs(invite.data!.expires_at).format("YYYY-MM-DD HH:mm") })}
          </Typography.Text>
          <Space.Compact style={{ width: "100%" }}>
            <input className="ant-input" readOnly value={url} aria-label={t("invite.link")} data-testid="invite-link" onFocus={(e) => e.target.select()} />
            <Button
              icon={<CopyOutlined />}
              aria-label={t("invite.copy")}
              onClick={() => void navigator.clipboard?.writeText(url).then(() => message.success(t("common.copied")))}
            />
          </Space.Compact>
          {admin && (
            <Button
              icon={<ReloadOutlined />}
              loading={act.reset.isPending}
              data-testid="invite-reset"
              onClick={() =>
                act.reset.mutate(undefined, {
                  onSuccess: () => void message.success(t("invite.resetDone")),
                  onError: (e) => setError(e instanceof ApiError ? e.problem.title : String(e)),
                })
              }
            >
              {t("invite.reset")}
            </Button>
          )}
        </Space>
      )}
    </Modal>
  );
}

/** Requests waiting for an owner or admin, with approve and refuse. */
export function JoinRequests({ conv }: { conv: Conversation }) {
  const t = useT();
  const requests = useJoinRequests(conv.id, true);
  const act = useInviteActions(conv.id);
  const [error, setError] = useState<string | null>(null);
  const fail = (e: unknown) => setError(e instanceof ApiError ? e.problem.title : String(e));
  const items = requests.data ?? [];
  if (!items.length) return null;
  return (
    <div data-testid="join-requests">
      <Typography.Text type="secondary">{t("invite.requests", { n: items.length })}</Typography.Text>
      {error && <Alert type="error" showIcon message={error} closable onClose={() => setError(null)} />}
      <List
        size="small"
        dataSource={items}
        renderItem={(r) => (
          <List.Item
            style={{ paddingInline: 0 }}
            data-testid="join-request"
            actions={[
              <Button key="ok" size="small" type="primary" loading={act.approve.isPending && act.approve.variables === r.id} onClick={() => act.approve.mutate(r.id, { onError: fail })} data-testid="join-approve">
                {t("invite.approve")}
              </Button>,
              <Button key="no" size="small" loading={act.refuse.isPending && act.refuse.variables === r.id} onClick={() => act.refuse.mutate(r.id, { onError: fail })} data-testid="join-refuse">
                {t("invite.refuse")}
              </Button>,
            ]}
          >
            <List.Item.Meta
              avatar={<Avatar style={{ background: "#87a8d0" }}>{displayName(r.person, t).slice(0, 1)}</Avatar>}
              title={<bdi>{displayName(r.person, t)}</bdi>}
              description={r.invited_by ? t("invite.via", { name: displayName(r.invited_by, t) }) : null}
            />
          </List.Item>
        )}
      />
    </div>
  );
}

export function JoinModeSelect({ conv, onChange, loading }: { conv: Conversation; onChange: (m: JoinMode) => void; loading: boolean }) {
  const t = useT();
  return (
    <div>
      <Typography.Text type="secondary">{t("invite.mode")}</Typography.Text>
      <Select
        style={{ width: "100%" }}
        value={conv.join_mode ?? "approval"}
        loading={loading}
        onChange={onChange}
        options={joinModeOptions(t)}
        data-testid="join-mode"
      />
    </div>
  );
}
