import { useState } from "react";
import {
  Alert,
  App,
  Button,
  Checkbox,
  Descriptions,
  Drawer,
  Empty,
  Form,
  Input,
  Modal,
  Popconfirm,
  Result,
  Select,
  Space,
  Spin,
  Tag,
  Typography,
} from "antd";
import { DeleteOutlined, EditOutlined, KeyOutlined, PlusOutlined, StopOutlined, UndoOutlined, LinkOutlined, MessageOutlined } from "@ant-design/icons";
import { useNavigate } from "react-router-dom";
import { useMe, usePerson, usePersonMutations } from "../../api/hooks";
import { ROLES, type LinkedPerson, type PersonDetail, type PersonUpdate, type Role } from "../../api/types";
import { useT } from "../../i18n";
import { joinIsolated, useTn } from "../../i18n/isolate";
import { errorText, fieldErrors } from "../../app/errors";
import { useIsPhone } from "../layout/AppLayout";
import { UnitTreeSelect } from "../layout/UnitTreeSelect";
import { useOpenConversation } from "../chat/api";
import { PhoneText, RoleTag } from "./labels";
import { PersonSelect } from "./PersonSelect";
import { PersonAvatar, PhotoEditor } from "./PersonPhoto";
import { CallButtons } from "../calls/CallButtons";

export function PersonDrawer({
  personId,
  onClose,
  onOpenPerson,
}: {
  personId: number | null;
  onClose: () => void;
  onOpenPerson: (id: number) => void;
}) {
  const t = useT();
  const phone = useIsPhone();
  const person = usePerson(personId);
  return (
    <Drawer
      open={personId != null}
      onClose={onClose}
      size={phone ? "100%" : 520}
      title={t("person.card")}
      destroyOnHidden
      data-testid="person-drawer"
    >
      {person.isPending ? (
        <Spin style={{ display: "block", margin: 48 }} />
      ) : person.isError ? (
        <Result status="warning" title={errorText(person.error, t)} />
      ) : (
        <PersonCard p={person.data} onOpenPerson={onOpenPerson} />
      )}
    </Drawer>
  );
}

function LinkedList({
  people,
  canManage,
  onOpen,
  onUnlink,
  testid,
}: {
  people: LinkedPerson[];
  canManage: boolean;
  onOpen: (id: number) => void;
  onUnlink?: (p: LinkedPerson) => void;
  testid: string;
}) {
  const t = useT();
  const tn = useTn();
  if (!people.length) return <Typography.Text type="secondary">{t("common.none")}</Typography.Text>;
  return (
    <div data-testid={testid}>
      {people.map((g) => (
        <div key={g.id} style={{ display: "flex", alignItems: "center", gap: 8, padding: "6px 0", borderBottom: "1px solid #f5f5f5" }}>
          <a onClick={() => onOpen(g.id)} style={{ fontWeight: 500 }}>
            <bdi>{g.name}</bdi>
          </a>
          {g.relation && <Tag>{g.relation}</Tag>}
          <span style={{ flex: 1, color: "#666" }}>
            <PhoneText phone={g.phone} hidden={g.phone_hidden} />
          </span>
          {canManage && onUnlink && (
            <Popconfirm
              title={tn("person.unlinkConfirm", { name: g.name })}
              okText={t("common.confirm")}
              cancelText={t("common.cancel")}
              onConfirm={() => onUnlink(g)}
            >
              <Button size="small" type="text" danger icon={<DeleteOutlined />} aria-label={t("common.remove")} />
            </Popconfirm>
          )}
        </div>
      ))}
    </div>
  );
}

function PersonCard({ p, onOpenPerson }: { p: PersonDetail; onOpenPerson: (id: number) => void }) {
  const t = useT();
  const tn = useTn();
  const { message, modal } = App.useApp();
  const m = usePersonMutations(p.id);
  const me = useMe().data;
  const [editing, setEditing] = useState(false);
  const [adding, setAdding] = useState(false);
  const [linking, setLinking] = useState(false);
  const none = t("common.none");

  const resetPassword = () =>
    m.resetPassword.mutate(undefined, {
      onSuccess: ({ temporary_password }) =>
        modal.success({
          title: t("person.tempPassword"),
          content: (
            <div data-testid="temp-password">
              <p>{t("person.tempPasswordHint")}</p>
              <Typography.Paragraph copyable={{ text: temporary_password, tooltips: [t("common.copy"), t("common.copied")] }} code style={{ fontSize: 18 }}>
                {temporary_password}
              </Typography.Paragraph>
            </div>
          ),
          okText: t("common.close"),
        }),
    });

  return (
    <div data-testid="person-card">
      <div style={{ display: "flex", gap: 12, alignItems: "center", marginBottom: 16 }}>
        <PersonAvatar name={p.name} photoUrl={p.photo_url} size={56} active={p.active} testId="person-card-avatar" />
        <div style={{ minWidth: 0 }}>
          <Typography.Title level={4} style={{ margin: 0 }} data-testid="person-card-name">
            <bdi>{p.name}</bdi>
          </Typography.Title>
          <Space size={4} wrap>
            {p.title && (
              <Typography.Text type="secondary">
                <bdi>{p.title}</bdi>
              </Typography.Text>
            )}
            <Tag color={p.active ? "green" : "red"}>{p.active ? t("person.active") : t("person.inactive")}</Tag>
            {p.is_admin && <Tag color="magenta">{t("person.isAdmin")}</Tag>}
          </Space>
        </div>
      </div>

      {p.can_message && <MessageButton personId={p.id} />}

      {(p.can_manage || p.id === me?.id) && (
        <div style={{ marginBottom: 16 }}>
          <PhotoEditor personId={p.id} name={p.name} photoUrl={p.photo_url} size={48} active={p.active} />
        </div>
      )}

      {p.can_manage && (
        <Space wrap style={{ marginBottom: 16 }}>
          <Button icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="person-edit">
            {t("person.edit")}
          </Button>
          <Popconfirm title={t("person.resetConfirm")} okText={t("common.confirm")} cancelText={t("common.cancel")} onConfirm={resetPassword}>
            <Button icon={<KeyOutlined />} loading={m.resetPassword.isPending} data-testid="person-reset-password">
              {t("person.resetPassword")}
            </Button>
          </Popconfirm>
          {p.active ? (
            <Popconfirm
              title={t("person.deactivateConfirm")}
              okText={t("common.confirm")}
              cancelText={t("common.cancel")}
              onConfirm={() => m.deactivate.mutate(undefined, { onSuccess: () => void message.success(t("person.deactivated")) })}
            >
              <Button danger icon={<StopOutlined />} loading={m.deactivate.isPending}>
                {t("person.deactivate")}
              </Button>
            </Popconfirm>
          ) : (
            <Button
              icon={<UndoOutlined />}
              loading={m.reactivate.isPending}
              onClick={() => m.reactivate.mutate(undefined, { onSuccess: () => void message.success(t("person.reactivated")) })}
            >
              {t("person.reactivate")}
            </Button>
          )}
        </Space>
      )}

      <Descriptions column={1} size="small" bordered styles={{ label: { width: 110 } }}>
        <Descriptions.Item label={t("person.phone")}>
          <span data-testid="person-phone">
            <PhoneText phone={p.phone} hidden={p.phone_hidden} />
          </span>
        </Descriptions.Item>
        <Descriptions.Item label={t("person.email")}>{p.email ?? none}</Descriptions.Item>
        {p.username && <Descriptions.Item label={t("person.username")}>{p.username}</Descriptions.Item>}
        {p.student_number && <Descriptions.Item label={t("person.studentNumber")}>{p.student_number}</Descriptions.Item>}
        <Descriptions.Item label={t("person.title")}>{p.title ?? none}</Descriptions.Item>
      </Descriptions>

      <SectionTitle
        title={t("person.memberships")}
        action={
          p.can_manage && (
            <Button size="small" icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="add-membership">
              {t("person.addMembership")}
            </Button>
          )
        }
      />
      {p.memberships.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("person.noMemberships")} />
      ) : (
        <div data-testid="person-memberships">
          {p.memberships.map((ms) => (
            <div key={ms.id} style={{ display: "flex", alignItems: "center", gap: 8, padding: "6px 0", borderBottom: "1px solid #f5f5f5" }}>
              <div style={{ flex: 1, minWidth: 0 }}>
                <div style={{ wordBreak: "break-all" }}>{joinIsolated(ms.unit.path_names, " / ")}</div>
                {ms.title && (
                  <Typography.Text type="secondary">
                    <bdi>{ms.title}</bdi>
                  </Typography.Text>
                )}
              </div>
              <RoleTag role={ms.role} />
              {p.can_manage && (
                <Popconfirm
                  title={tn("person.removeMembershipConfirm", { name: p.name, unit: ms.unit.name })}
                  okText={t("common.confirm")}
                  cancelText={t("common.cancel")}
                  onConfirm={() => m.removeMembership.mutate(ms.id)}
                >
                  <Button size="small" type="text" danger icon={<DeleteOutlined />} aria-label={t("common.remove")} />
                </Popconfirm>
              )}
            </div>
          ))}
        </div>
      )}

      {(p.guardians.length > 0 || p.memberships.some((x) => x.role === "student")) && (
        <>
          <SectionTitle
            title={t("person.guardians")}
            action={
              p.can_manage && (
                <Button size="small" icon={<LinkOutlined />} onClick={() => setLinking(true)} data-testid="link-guardian">
                  {t("person.linkGuardian")}
                </Button>
              )
            }
          />
          <LinkedList
            testid="person-guardians"
            people={p.guardians}
            canManage={p.can_manage}
            onOpen={onOpenPerson}
            onUnlink={(g) => m.unlinkGuardian.mutate(g.id)}
          />
        </>
      )}
      {p.children.length > 0 && (
        <>
          <SectionTitle title={t("person.children")} />
          <LinkedList testid="person-children" people={p.children} canManage={false} onOpen={onOpenPerson} />
        </>
      )}

      {editing && <EditPersonModal p={p} onClose={() => setEditing(false)} />}
      {adding && <AddMembershipModal personId={p.id} onClose={() => setAdding(false)} />}
      {linking && <LinkGuardianModal p={p} onClose={() => setLinking(false)} />}
    </div>
  );
}

/**
 * 发消息: opens the direct chat with this person (created on first use) and goes to it. Offered
 * where the server says one may (`can_message`), with 语音通话 / 视频通话 beside it (features/calls).
 */
function MessageButton({ personId }: { personId: number }) {
  const t = useT();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const open = useOpenConversation();
  return (
    <Space wrap style={{ marginBottom: 16 }}>
      <Button
        type="primary"
        icon={<MessageOutlined />}
        loading={open.direct.isPending}
        data-testid="person-message"
        onClick={() =>
          open.direct.mutate(
            { person_id: personId },
            {
              onSuccess: (c) => navigate(`/chat/${c.id}`),
              onError: (e) => void message.error(errorText(e, t)),
            },
          )
        }
      >
        {t("person.message")}
      </Button>
      <CallButtons personId={personId} />
    </Space>
  );
}

function SectionTitle({ title, action }: { title: string; action?: React.ReactNode }) {
  return (
    <div style={{ display: "flex", alignItems: "center", justifyContent: "space-between", margin: "20px 0 8px" }}>
      <Typography.Title level={5} style={{ margin: 0 }}>
        {title}
      </Typography.Title>
      {action}
    </div>
  );
}

function EditPersonModal({ p, onClose }: { p: PersonDetail; onClose: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const me = useMe().data;
  const { update } = usePersonMutations(p.id);
  const [form] = Form.useForm<PersonUpdate>();
  const submit = (v: PersonUpdate) => {
    const body: PersonUpdate = {};
    (Object.keys(v) as (keyof PersonUpdate)[]).forEach((k) => {
      const val = v[k];
      (body as Record<string, unknown>)[k] = typeof val === "string" ? (val.trim() === "" ? null : val) : val;
    });
    update.mutate(body, {
      onSuccess: () => {
        void message.success(t("common.saved"));
        onClose();
      },
      onError: (e) => form.setFields(fieldErrors(e) as never),
    });
  };
  return (
    <Modal
      open
      title={t("person.edit")}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t("common.save")}
      cancelText={t("common.cancel")}
      confirmLoading={update.isPending}
      destroyOnHidden
    >
      {update.isError && <Alert type="error" showIcon title={errorText(update.error, t)} style={{ marginBottom: 12 }} />}
      <Form<PersonUpdate>
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{
          name: p.name,
          username: p.username,
          phone: p.phone_hidden ? undefined : p.phone,
          email: p.email,
          student_number: p.student_number,
          title: p.title,
          is_admin: p.is_admin,
        }}
      >
        <Form.Item name="name" label={t("person.name")} rules={[{ required: true, message: t("common.required") }]}>
          <Input />
        </Form.Item>
        <Form.Item name="username" label={t("person.username")}>
          <Input />
        </Form.Item>
        {!p.phone_hidden && (
          <Form.Item name="phone" label={t("person.phone")}>
            <Input inputMode="tel" />
          </Form.Item>
        )}
        <Form.Item name="email" label={t("person.email")}>
          <Input inputMode="email" />
        </Form.Item>
        <Form.Item name="student_number" label={t("person.studentNumber")}>
          <Input />
        </Form.Item>
        <Form.Item name="title" label={t("person.title")}>
          <Input />
        </Form.Item>
        {me?.is_admin && (
          <Form.Item name="is_admin" valuePropName="checked">
            <Checkbox>{t("person.isAdmin")}</Checkbox>
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

function AddMembershipModal({ personId, onClose }: { personId: number; onClose: () => void }) {
  const t = useT();
  const { addMembership } = usePersonMutations(personId);
  const [form] = Form.useForm<{ unit_id: number; role: Role; title?: string }>();
  return (
    <Modal
      open
      title={t("person.addMembership")}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t("common.save")}
      cancelText={t("common.cancel")}
      confirmLoading={addMembership.isPending}
    >
      {addMembership.isError && <Alert type="error" showIcon title={errorText(addMembership.error, t)} style={{ marginBottom: 12 }} />}
      <Form
        form={form}
        layout="vertical"
        initialValues={{ role: "member" }}
        onFinish={(v) => addMembership.mutate({ ...v, title: v.title || null }, { onSuccess: onClose })}
      >
        <Form.Item name="unit_id" label={t("person.unit")} rules={[{ required: true, message: t("common.required") }]}>
          <UnitTreeSelect placeholder={t("tree.pickUnit")} />
        </Form.Item>
        <Form.Item name="role" label={t("person.role")} rules={[{ required: true }]}>
          <Select options={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))} />
        </Form.Item>
        <Form.Item name="title" label={t("person.membershipTitle")}>
          <Input />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function LinkGuardianModal({ p, onClose }: { p: PersonDetail; onClose: () => void }) {
  const t = useT();
  const { linkGuardian } = usePersonMutations(p.id);
  const [form] = Form.useForm<{ guardian_id: number; relation?: string }>();
  return (
    <Modal
      open
      title={t("person.linkGuardian")}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t("common.save")}
      cancelText={t("common.cancel")}
      confirmLoading={linkGuardian.isPending}
    >
      {linkGuardian.isError && <Alert type="error" showIcon title={errorText(linkGuardian.error, t)} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" onFinish={(v) => linkGuardian.mutate({ ...v, relation: v.relation || null }, { onSuccess: onClose })}>
        <Form.Item name="guardian_id" label={t("person.guardian")} rules={[{ required: true, message: t("common.required") }]}>
          <PersonSelect placeholder={t("person.searchPerson")} exclude={[p.id, ...p.guardians.map((g) => g.id)]} />
        </Form.Item>
        <Form.Item name="relation" label={t("person.relation")}>
          <Input placeholder={t("person.relationPlaceholder")} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
