import { Alert, App, Checkbox, Form, Input, Modal, Select } from "antd";
import { useCreatePerson, useMe } from "../../api/hooks";
import { ROLES, type Role } from "../../api/types";
import { useT } from "../../i18n";
import { useTn } from "../../i18n/isolate";
import { errorText, fieldErrors } from "../../app/errors";
import { UnitTreeSelect } from "../layout/UnitTreeSelect";

interface Values {
  name: string;
  username?: string;
  phone?: string;
  email?: string;
  student_number?: string;
  title?: string;
  password?: string;
  is_admin?: boolean;
  unit_id?: number;
  role?: Role;
}

const blank = (s?: string) => (s && s.trim() ? s.trim() : null);

/** `defaultUnitId`: the unit selected in the directory (its first membership, editable). */
export function CreatePersonModal({ defaultUnitId, onClose }: { defaultUnitId: number | null; onClose: (createdId?: number) => void }) {
  const t = useT();
  const tn = useTn();
  const { message } = App.useApp();
  const me = useMe().data;
  const create = useCreatePerson();
  const [form] = Form.useForm<Values>();
  const submit = (v: Values) =>
    create.mutate(
      {
        name: v.name,
        username: blank(v.username),
        phone: blank(v.phone),
        email: blank(v.email),
        student_number: blank(v.student_number),
        title: blank(v.title),
        password: blank(v.password),
        is_admin: !!v.is_admin,
        memberships: v.unit_id ? [{ unit_id: v.unit_id, role: v.role ?? "member", title: blank(v.title) }] : [],
      },
      {
        onSuccess: (p) => {
          void message.success(tn("person.created", { name: p.name }));
          onClose(p.id);
        },
        onError: (e) =>
          form.setFields(
            fieldErrors(e).map((f) => ({ ...f, name: f.name.startsWith("memberships") ? "unit_id" : f.name })) as never,
          ),
      },
    );
  return (
    <Modal
      open
      title={t("person.createTitle")}
      onCancel={() => onClose()}
      onOk={() => form.submit()}
      okText={t("common.create")}
      cancelText={t("common.cancel")}
      confirmLoading={create.isPending}
      data-testid="create-person"
    >
      {create.isError && <Alert type="error" showIcon title={errorText(create.error, t)} style={{ marginBottom: 12 }} />}
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{ unit_id: defaultUnitId ?? undefined, role: "member" }}
      >
        <Form.Item name="name" label={t("person.name")} rules={[{ required: true, message: t("common.required") }]}>
          <Input autoFocus />
        </Form.Item>
        <Form.Item label={t("person.firstMembership")} style={{ marginBottom: 0 }}>
          <div style={{ display: "flex", gap: 8 }}>
            <Form.Item name="unit_id" style={{ flex: 2, minWidth: 0 }}>
              <UnitTreeSelect placeholder={t("tree.pickUnit")} disabled={(u) => !u.can_manage} />
            </Form.Item>
            <Form.Item name="role" style={{ flex: 1 }}>
              <Select options={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))} />
            </Form.Item>
          </div>
        </Form.Item>
        <Form.Item name="phone" label={t("person.phone")}>
          <Input inputMode="tel" />
        </Form.Item>
        <Form.Item name="email" label={t("person.email")}>
          <Input inputMode="email" />
        </Form.Item>
        <Form.Item name="username" label={t("person.username")}>
          <Input />
        </Form.Item>
        <Form.Item name="student_number" label={t("person.studentNumber")}>
          <Input />
        </Form.Item>
        <Form.Item name="title" label={t("person.title")}>
          <Input />
        </Form.Item>
        <Form.Item name="password" label={t("person.password")} extra={t("person.passwordHint")}>
          <Input.Password autoComplete="new-password" />
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
