import { useState } from "react";
import { Alert, App, Button, Card, Checkbox, Descriptions, Empty, Form, Input, Modal, Popconfirm, Result, Select, Space, Spin, Switch, Table, Tag, Typography } from "antd";
import { DragOutlined, EditOutlined, InboxOutlined, PlusOutlined, SettingOutlined, TeamOutlined, UndoOutlined } from "@ant-design/icons";
import { useNavigate } from "react-router-dom";
import { useAncestors, useChildren, useRoots, useUnit, useUnitMutations } from "../../api/hooks";
import { UNIT_KINDS, type UnitKind, type UnitOut } from "../../api/types";
import { useAccess } from "../../access";
import { useT } from "../../i18n";
import { joinIsolated, useTn } from "../../i18n/isolate";
import { errorText, fieldErrors } from "../../app/errors";
import { UnitBar } from "../layout/UnitBar";
import { UnitTreeSelect } from "../layout/UnitTreeSelect";
import { useSelectedUnit } from "../layout/selection";
import { useIsPhone } from "../layout/AppLayout";

type Dialog = { type: "create"; parent: UnitOut | null } | { type: "edit"; unit: UnitOut } | { type: "move"; unit: UnitOut } | null;

export default function UnitsPage() {
  const t = useT();
  const tn = useTn();
  const phone = useIsPhone();
  const access = useAccess();
  const [unitId, select] = useSelectedUnit();
  const [dialog, setDialog] = useState<Dialog>(null);
  const [archived, setArchived] = useState(false);
  const unit = useUnit(unitId);
  const ancestors = useAncestors(unitId);
  const roots = useRoots(unitId == null);
  const children = useChildren(unitId, archived);
  const navigate = useNavigate();
  const { message } = App.useApp();
  const m = useUnitMutations();

  const archiveButtons = (u: UnitOut) =>
    u.can_manage &&
    (u.archived ? (
      <Popconfirm
        title={tn("units.restoreConfirm", { name: u.name })}
        okText={t("common.confirm")}
        cancelText={t("common.cancel")}
        onConfirm={() => m.restore.mutateAsync(u.id).then(() => void message.success(t("units.restoredDone")))}
      >
        <Button size="small" icon={<UndoOutlined />}>
          {t("units.restore")}
        </Button>
      </Popconfirm>
    ) : (
      <Popconfirm
        title={tn("units.archiveConfirm", { name: u.name })}
        okText={t("common.confirm")}
        cancelText={t("common.cancel")}
        onConfirm={() => m.archive.mutateAsync(u.id).then(() => void message.success(t("units.archivedDone")))}
      >
        <Button size="small" danger icon={<InboxOutlined />} data-testid="unit-archive">
          {t("units.archive")}
        </Button>
      </Popconfirm>
    ));

  const list = unitId == null ? roots : children;
  const table = (
    <Table<UnitOut>
      rowKey="id"
      size="middle"
      loading={list.isPending}
      dataSource={list.data ?? []}
      pagination={false}
            locale={{ emptyText: t("common.empty") }}
      onRow={(u) => ({ onDoubleClick: () => select(u.id) })}
      columns={[
        {
          title: t("units.name"),
          dataIndex: "name",
          render: (name: string, u) => (
            <Space>
              <a onClick={() => select(u.id)}>
                <bdi>{name}</bdi>
              </a>
              {u.archived && <Tag>{t("units.archived")}</Tag>}
            </Space>
          ),
        },
        { title: t("units.kind"), dataIndex: "kind", render: (k: UnitKind) => t(`kind.${k}`) },
        { title: t("units.memberCount"), dataIndex: "member_count", width: 90, responsive: ["sm"] },
        { title: t("units.childCount"), dataIndex: "child_count", width: 100, responsive: ["sm"] },
        { key: "a", render: (_: unknown, u) => archiveButtons(u) },
      ]}
    />
  );

  return (
    <div data-testid="units-page">
      <UnitBar selectedId={unitId} onSelect={select} />
      {unitId == null ? (
        <Card
          title={t("tree.allUnits")}
          extra={
            access.isAdmin && (
              <Button icon={<PlusOutlined />} onClick={() => setDialog({ type: "create", parent: null })}>
                {t("units.addRoot")}
              </Button>
            )
          }
        >
          <Typography.Paragraph type="secondary">{t(phone ? "units.selectHintPhone" : "units.selectHint")}</Typography.Paragraph>
          {table}
        </Card>
      ) : unit.isPending ? (
        <Spin style={{ display: "block", margin: 48 }} />
      ) : unit.isError ? (
        <Result status="warning" title={errorText(unit.error, t)} />
      ) : (
        <Space orientation="vertical" size={16} style={{ width: "100%" }}>
          <Card
            className="bw-wrap-head"
            title={
              <Space wrap>
                <bdi>{unit.data.name}</bdi>
                <Tag color="blue">{t(`kind.${unit.data.kind}`)}</Tag>
                {unit.data.archived && <Tag>{t("units.archived")}</Tag>}
              </Space>
            }
            extra={
              <Button icon={<TeamOutlined />} onClick={() => navigate(`/directory?unit=${unit.data.id}`)}>
                {t("units.open")}
              </Button>
            }
          >
            <Descriptions column={{ xs: 1, md: 2 }} size="small">
              <Descriptions.Item label={t("units.path")}>{joinIsolated((ancestors.data ?? []).map((a) => a.name), " / ")}</Descriptions.Item>
              <Descriptions.Item label={t("units.memberCount")}>{unit.data.member_count}</Descriptions.Item>
              <Descriptions.Item label={t("units.childCount")}>{unit.data.child_count}</Descriptions.Item>
            </Descriptions>
            {unit.data.can_manage ? (
              <Space wrap style={{ marginTop: 12 }}>
                <Button type="primary" icon={<PlusOutlined />} onClick={() => setDialog({ type: "create", parent: unit.data })} data-testid="unit-add-child">
                  {t("units.addChild")}
                </Button>
                <Button icon={<EditOutlined />} onClick={() => setDialog({ type: "edit", unit: unit.data })} data-testid="unit-edit">
                  {t("units.rename")}
                </Button>
                <Button icon={<DragOutlined />} onClick={() => setDialog({ type: "move", unit: unit.data })} data-testid="unit-move">
                  {t("units.move")}
                </Button>
                <Button icon={<SettingOutlined />} onClick={() => navigate(`/units/${unit.data.id}/settings`)} data-testid="unit-settings-open">
                  {t("unitSettings.open")}
                </Button>
                {archiveButtons(unit.data)}
              </Space>
            ) : (
              <Typography.Text type="secondary">{t("units.noManage")}</Typography.Text>
            )}
          </Card>
          <Card
            title={t("units.children")}
            extra={
              <label>
                <Switch size="small" checked={archived} onChange={setArchived} /> {t("units.showArchived")}
              </label>
            }
          >
            {(children.data?.length ?? 0) === 0 && !children.isPending ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("common.empty")} /> : table}
          </Card>
        </Space>
      )}
      {dialog?.type === "create" && <UnitFormModal parent={dialog.parent} onClose={() => setDialog(null)} />}
      {dialog?.type === "edit" && <UnitFormModal unit={dialog.unit} onClose={() => setDialog(null)} />}
      {dialog?.type === "move" && <MoveModal unit={dialog.unit} onClose={() => setDialog(null)} />}
    </div>
  );
}

const CHILD_KIND: Partial<Record<UnitKind, UnitKind>> = { bureau: "school", school: "grade", grade: "class", company: "department", department: "team" };

function UnitFormModal({ parent, unit, onClose }: { parent?: UnitOut | null; unit?: UnitOut; onClose: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const m = useUnitMutations();
  const mutation = unit ? m.update : m.create;
  const [form] = Form.useForm<{ name: string; kind: UnitKind }>();
  const submit = (v: { name: string; kind: UnitKind }) => {
    const opts = {
      onSuccess: () => {
        void message.success(t("units.saved"));
        onClose();
      },
      onError: (e: unknown) => form.setFields(fieldErrors(e) as never),
    };
    if (unit) m.update.mutate({ id: unit.id, ...v }, opts);
    else m.create.mutate({ parent_id: parent?.id ?? null, ...v }, opts);
  };
  return (
    <Modal
      open
      title={unit ? t("units.rename") : parent ? <>{t("units.addChild")} · <bdi>{parent.name}</bdi></> : t("units.addRoot")}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t("common.save")}
      cancelText={t("common.cancel")}
      confirmLoading={mutation.isPending}
    >
      {mutation.isError && <Alert type="error" showIcon title={errorText(mutation.error, t)} style={{ marginBottom: 12 }} />}
      <Form
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={unit ? { name: unit.name, kind: unit.kind } : { kind: (parent && CHILD_KIND[parent.kind]) ?? (parent ? "team" : "bureau") }}
      >
        <Form.Item name="name" label={t("units.name")} rules={[{ required: true, message: t("common.required") }]}>
          <Input autoFocus maxLength={200} data-testid="unit-name-input" />
        </Form.Item>
        <Form.Item name="kind" label={t("units.kind")} rules={[{ required: true }]}>
          <Select options={UNIT_KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) }))} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function MoveModal({ unit, onClose }: { unit: UnitOut; onClose: () => void }) {
  const t = useT();
  const tn = useTn();
  const { message } = App.useApp();
  const access = useAccess();
  const { move } = useUnitMutations();
  const [target, setTarget] = useState<number | null>(null);
  const [root, setRoot] = useState(false);
  return (
    <Modal
      open
      title={tn("units.moveTitle", { name: unit.name })}
      onCancel={onClose}
      okText={t("units.move")}
      cancelText={t("common.cancel")}
      okButtonProps={{ disabled: !root && target == null, "data-testid": "unit-move-ok" } as never}
      confirmLoading={move.isPending}
      onOk={() =>
        move.mutate(
          { id: unit.id, parent_id: root ? null : target },
          {
            onSuccess: () => {
              void message.success(t("units.moved"));
              onClose();
            },
          },
        )
      }
    >
      {move.isError && <Alert type="error" showIcon title={errorText(move.error, t)} style={{ marginBottom: 12 }} data-testid="unit-move-error" />}
      <Typography.Paragraph type="secondary">{t("units.moveHint")}</Typography.Paragraph>
      <Form layout="vertical">
        <Form.Item label={t("units.moveTo")}>
          <UnitTreeSelect value={target} onChange={(id) => setTarget(id)} placeholder={t("tree.pickUnit")} data-testid="unit-move-target" />
        </Form.Item>
        {access.isAdmin && (
          <Checkbox checked={root} onChange={(e) => setRoot(e.target.checked)}>
            {t("units.moveRoot")}
          </Checkbox>
        )}
      </Form>
    </Modal>
  );
}
