/**
 * 表单模板 (/forms/templates?unit=ID): the templates a unit may use — its own and those of the
 * units above it (marked where they come from) — and new ones: from a built-in template, blank,
 * or extending a template from above with the unit's own questions (its questions stay locked).
 */
import { useState } from "react";
import { App, Button, Card, Dropdown, Empty, Input, List, Modal, Popconfirm, Space, Tag, Typography } from "antd";
import { DeleteOutlined, FileAddOutlined, PlusOutlined } from "@ant-design/icons";
import { useNavigate, useSearchParams } from "react-router-dom";
import { errorText } from "../../app/errors";
import { useT } from "../../i18n";
import { useArchiveTemplate, useBuiltins, useCreateTemplate, useTemplates, type TemplateCreate, type TemplateOut } from "./api";
import { UnitChooser } from "./UnitChooser";
import { newField } from "./model";
import "./forms.css";

export function useUnitParam(): [number | null, (id: number | null) => void] {
  const [params, setParams] = useSearchParams();
  const raw = params.get("unit");
  const id = raw && /^\d+$/.test(raw) ? Number(raw) : null;
  return [
    id,
    (next) => {
      const p = new URLSearchParams(params);
      if (next == null) p.delete("unit");
      else p.set("unit", String(next));
      setParams(p, { replace: true });
    },
  ];
}

export default function TemplatesPage() {
  const t = useT();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [unit, setUnit] = useUnitParam();
  const list = useTemplates(unit);
  const [picking, setPicking] = useState(false);
  const builtins = useBuiltins(picking);
  const create = useCreateTemplate();
  const archive = useArchiveTemplate();
  const [naming, setNaming] = useState<{ body: Omit<TemplateCreate, "name">; name: string } | null>(null);

  const make = async (body: TemplateCreate) => {
    try {
      const tpl = await create.mutateAsync(body);
      navigate(`/forms/templates/${tpl.id}`);
    } catch (err) {
      void message.error(errorText(err, t));
    }
  };

  if (unit == null)
    return (
      <Card title={t("forms.tpl.title")} className="bw-forms-page">
        <Typography.Paragraph type="secondary">{t("forms.pickUnitHint")}</Typography.Paragraph>
        <UnitChooser value={null} onChange={setUnit} />
      </Card>
    );

  const rows = list.data ?? [];
  const own = (tpl: TemplateOut) => tpl.unit_id === unit;
  return (
    <div className="bw-forms-page">
      <Card
        title={t("forms.tpl.title")}
        data-testid="forms-templates"
        extra={
          <Dropdown
            trigger={["click"]}
            menu={{
              items: [
                { key: "builtin", icon: <FileAddOutlined />, label: t("forms.tpl.fromBuiltin"), onClick: () => setPicking(true) },
                {
                  key: "blank",
                  icon: <PlusOutlined />,
                  label: t("forms.tpl.blank"),
                  onClick: () =>
                    setNaming({
                      body: {
                        unit_id: unit,
                        definition: { fields: [newField("text", [], t("forms.tpl.blankQuestion"), (n) => t("forms.design.option", { n }))] },
                      },
                      name: "",
                    }),
                },
              ],
            }}
          >
            <Button type="primary" icon={<PlusOutlined />} data-testid="forms-template-new">
              {t("forms.tpl.new")}
            </Button>
          </Dropdown>
        }
      >
        <List
          loading={list.isPending}
          dataSource={rows}
          locale={{ emptyText: <Empty description={list.isError ? errorText(list.error, t) : t("forms.tpl.none")} /> }}
          renderItem={(tpl) => (
            <List.Item
              data-testid="forms-template-row"
              actions={[
                !own(tpl) && (
                  <Button key="extend" size="small" onClick={() => setNaming({ body: { unit_id: unit, base_id: tpl.id }, name: tpl.name })}>
                    {t("forms.tpl.extend")}
                  </Button>
                ),
                own(tpl) && tpl.may_edit && (
                  <Popconfirm key="archive" title={t("forms.tpl.archiveConfirm")} onConfirm={() => archive.mutate(tpl)} okText={t("forms.tpl.archive")} cancelText={t("common.cancel")}>
                    <Button size="small" type="text" danger icon={<DeleteOutlined />} aria-label={t("forms.tpl.archive")} />
                  </Popconfirm>
                ),
              ].filter(Boolean)}
            >
              <List.Item.Meta
                title={
                  <a onClick={() => navigate(`/forms/templates/${tpl.id}`)} data-testid="forms-template-open">
                    {tpl.name}
                  </a>
                }
                description={
                  <Space size={4} wrap>
                    {own(tpl) ? <Tag color="blue">{t("forms.tpl.own")}</Tag> : <Tag color="purple">{t("forms.tpl.fromAbove", { unit: tpl.unit_name })}</Tag>}
                    <Tag>{t("forms.tpl.version", { n: tpl.version })}</Tag>
                    <Typography.Text type="secondary">{t("forms.tpl.questionsN", { n: tpl.definition.fields.filter((f) => f.kind !== "section").length })}</Typography.Text>
                  </Space>
                }
              />
            </List.Item>
          )}
        />
      </Card>
      <Modal open={picking} title={t("forms.tpl.builtins")} footer={null} onCancel={() => setPicking(false)}>
        <List
          loading={builtins.isPending}
          dataSource={builtins.data ?? []}
          renderItem={(b) => (
            <List.Item
              data-testid="forms-builtin"
              actions={[
                <Button
                  key="use"
                  type="primary"
                  size="small"
                  loading={create.isPending}
                  onClick={() => {
                    setPicking(false);
                    void make({ unit_id: unit, name: b.name, builtin: b.key });
                  }}
                >
                  {t("common.create")}
                </Button>,
              ]}
            >
              <List.Item.Meta title={b.name} description={t("forms.tpl.questionsN", { n: b.definition.fields.filter((f) => f.kind !== "section").length })} />
            </List.Item>
          )}
        />
      </Modal>
      <Modal
        open={naming != null}
        title={t("forms.tpl.name")}
        okText={t("common.create")}
        cancelText={t("common.cancel")}
        okButtonProps={{ disabled: !naming?.name.trim(), loading: create.isPending, "data-testid": "forms-template-create" } as never}
        onCancel={() => setNaming(null)}
        onOk={() => {
          if (!naming) return;
          const body = { ...naming.body, name: naming.name.trim() };
          setNaming(null);
          void make(body);
        }}
      >
        <Input value={naming?.name ?? ""} maxLength={100} onChange={(e) => setNaming((n) => (n ? { ...n, name: e.target.value } : n))} data-testid="forms-template-name" />
      </Modal>
    </div>
  );
}
