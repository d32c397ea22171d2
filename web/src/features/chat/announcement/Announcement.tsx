/**
 * 群公告 on screen: the bar pinned under a group's header, the drawer with the whole text, the
 * confirm button and (for its author and the admins) who has confirmed and who has not, and the
 * editor the owner and admins post one with.
 */
import { useState } from "react";
import { Alert, Avatar, Button, type ButtonProps, Checkbox, Drawer, Empty, Input, List, Modal, Popconfirm, Space, Spin, Tabs, Tag, Typography } from "antd";
import { CheckCircleFilled, NotificationOutlined, RightOutlined } from "@ant-design/icons";
import dayjs from "dayjs";
import { ApiError } from "../../../api/http";
import { useT } from "../../../i18n";
import { displayName } from "../../people/parents";
import { renderText } from "../MessageItem";
import { useAnnouncementActions, useConfirmations, type Announcement } from "./api";

export const MAX_ANNOUNCEMENT = 2000;

/** Whether I am asked to confirm it and have not yet. */
export function awaitsMe(a: Announcement, me: number): boolean {
  return a.confirm && a.confirmed_at == null && a.author?.id !== me;
}

/** The bar under the header: the first line of the announcement; a tap opens it. */
export function AnnouncementBar({ a, me, onOpen }: { a: Announcement; me: number; onOpen: () => void }) {
  const t = useT();
  const pending = awaitsMe(a, me);
  return (
    <div
      className="bw-announce-bar"
      role="button"
      tabIndex={0}
      data-testid="announcement-bar"
      onClick={onOpen}
      onKeyDown={(e) => (e.key === "Enter" || e.key === " ") && (e.preventDefault(), onOpen())}
    >
      <NotificationOutlined className="bw-announce-icon" aria-label={t("announce.title")} />
      <bdi className="bw-announce-text">{a.body.split("\n")[0]}</bdi>
      {pending && (
        <Tag color="orange" data-testid="announcement-to-confirm">
          {t("announce.toConfirm")}
        </Tag>
      )}
      {a.confirmed_count != null && a.pending_count != null && (
        <span className="bw-announce-count" data-testid="announcement-count">
          {t("announce.countShort", { done: a.confirmed_count, all: a.confirmed_count + a.pending_count })}
        </span>
      )}
      <RightOutlined className="bw-announce-more" />
    </div>
  );
}

function People({ id, a, confirmed }: { id: number; a: Announcement; confirmed: boolean }) {
  const t = useT();
  const q = useConfirmations(id, a.id, confirmed, true);
  if (q.isPending) return <Spin />;
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  if (!items.length) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={confirmed ? t("announce.noneConfirmed") : t("announce.allConfirmed")} />;
  return (
    <>
      <List
        size="small"
        dataSource={items}
        data-testid={confirmed ? "announcement-confirmed-list" : "announcement-pending-list"}
        renderItem={(x) => (
          <List.Item style={{ paddingInline: 0 }} data-testid="announcement-person">
            <Space>
              <Avatar size="small" style={{ background: "#87a8d0" }}>
                {displayName(x.person, t).slice(0, 1)}
              </Avatar>
              <bdi title={x.person.parent_of ? x.person.name : undefined}>{displayName(x.person, t)}</bdi>
            </Space>
            {x.confirmed_at && <Typography.Text type="secondary">{dayjs(x.confirmed_at).format("MM-DD HH:mm")}</Typography.Text>}
          </List.Item>
        )}
      />
      {q.hasNextPage && (
        <Button block loading={q.isFetchingNextPage} onClick={() => void q.fetchNextPage()}>
          {t("common.loadMore")}
        </Button>
      )}
    </>
  );
}

/** The whole announcement: confirm it, or (author, admins) see who has and edit it. */
export function AnnouncementDrawer({
  id,
  a,
  me,
  phone,
  onClose,
  onEdit,
}: {
  id: number;
  a: Announcement;
  me: number;
  phone: boolean;
  onClose: () => void;
  onEdit: () => void;
}) {
  const t = useT();
  const act = useAnnouncementActions(id);
  const [error, setError] = useState<string | null>(null);
  const fail = (e: unknown) => setError(e instanceof ApiError ? e.problem.title : String(e));
  const sees = a.confirmed_count != null && a.pending_count != null;
  return (
    <Drawer open onClose={onClose} title={t("announce.title")} size={phone ? "100%" : 420} data-testid="announcement-drawer">
      <Space direction="vertical" style={{ width: "100%" }} size="middle">
        {error && <Alert type="error" showIcon message={error} closable onClose={() => setError(null)} data-testid="announcement-error" />}
        <Typography.Text type="secondary">
          {a.author ? <bdi>{displayName(a.author, t)}</bdi> : null} · {dayjs(a.created_at).format("YYYY-MM-DD HH:mm")}
        </Typography.Text>
        <div className="bw-announce-body" data-testid="announcement-body">
          {renderText(a.body)}
        </div>
        {awaitsMe(a, me) ? (
          <Button type="primary" block size="large" loading={act.confirm.isPending} onClick={() => act.confirm.mutate(a.id, { onError: fail })} data-testid="announcement-confirm">
            {t("announce.confirm")}
          </Button>
        ) : a.confirm && a.confirmed_at ? (
          <Typography.Text type="success" data-testid="announcement-confirmed">
            <CheckCircleFilled /> {t("announce.youConfirmed", { time: dayjs(a.confirmed_at).format("MM-DD HH:mm") })}
          </Typography.Text>
        ) : null}
        {a.can_edit && (
          <Space wrap>
            <Button onClick={onEdit} data-testid="announcement-edit">
              {t("announce.edit")}
            </Button>
            <Popconfirm
              title={t("announce.removeConfirm")}
              okText={t("common.delete")}
              cancelText={t("common.cancel")}
              onConfirm={() => act.remove.mutate(undefined, { onError: fail, onSuccess: onClose })}
            >
              <Button danger loading={act.remove.isPending} data-testid="announcement-remove">
                {t("common.delete")}
              </Button>
            </Popconfirm>
          </Space>
        )}
        {sees && (
          <Tabs
            items={[
              { key: "pending", label: t("announce.pendingTab", { n: a.pending_count! }), children: <People id={id} a={a} confirmed={false} /> },
              { key: "confirmed", label: t("announce.confirmedTab", { n: a.confirmed_count! }), children: <People id={id} a={a} confirmed /> },
            ]}
          />
        )}
      </Space>
    </Drawer>
  );
}

/** Posting a new announcement (it replaces the current one). */
export function AnnouncementEditor({ id, current, onClose, onDone }: { id: number; current: Announcement | null; onClose: () => void; onDone: () => void }) {
  const t = useT();
  const act = useAnnouncementActions(id);
  const [body, setBody] = useState(current?.body ?? "");
  const [confirm, setConfirm] = useState(current?.confirm ?? true);
  const [error, setError] = useState<string | null>(null);
  const blank = !body.trim();
  const tooLong = body.length > MAX_ANNOUNCEMENT;
  const publish = () => {
    if (blank) return setError(t("announce.blank"));
    act.publish.mutate(
      { body, confirm },
      { onSuccess: onDone, onError: (e) => setError(e instanceof ApiError ? (e.problem.errors?.[0]?.message ?? e.problem.title) : String(e)) },
    );
  };
  return (
    <Modal
      open
      title={current ? t("announce.edit") : t("announce.new")}
      onCancel={onClose}
      okText={t("announce.publish")}
      cancelText={t("common.cancel")}
      onOk={publish}
      okButtonProps={{ disabled: tooLong, loading: act.publish.isPending, "data-testid": "announcement-publish" } as ButtonProps}
      data-testid="announcement-editor"
    >
      <Space direction="vertical" style={{ width: "100%" }}>
        {error && <Alert type="error" showIcon message={error} data-testid="announcement-editor-error" />}
        <Input.TextArea
          value={body}
          onChange={(e) => {
            setBody(e.target.value);
            setError(null);
          }}
          autoSize={{ minRows: 5, maxRows: 12 }}
          placeholder={t("announce.placeholder")}
          showCount={{ formatter: ({ count }) => `${count} / ${MAX_ANNOUNCEMENT}` }}
          status={tooLong ? "error" : undefined}
          data-testid="announcement-input"
        />
        <Checkbox checked={confirm} onChange={(e) => setConfirm(e.target.checked)} data-testid="announcement-ask-confirm">
          {t("announce.askConfirm")}
        </Checkbox>
        {current && <Typography.Text type="secondary">{t("announce.replaces")}</Typography.Text>}
      </Space>
    </Modal>
  );
}
