/**
 * 审批模板 (/approvals/templates?unit=ID), for those who design for a unit: the unit's approval
 * templates and those above it, each with its flow (edited here: a new version each save) and
 * its questions (forms' own designer, /forms/templates/:form_template_id). New ones start from
 * a built-in template (leave, expense claim, purchase, student leave).
 */
import { useState } from "react";
import { App, Button, Card, Empty, List, Modal, Spin, Tag } from "antd";
import { EditOutlined, PlusOutlined } from "@ant-design/icons";
import { useNavigate } from "react-router-dom";
import { errorText } from "../../app/errors";
import { useT } from "../../i18n";
import { useUnitParam } from "../forms/TemplatesPage";
import { UnitChooser } from "../forms/UnitChooser";
import { FlowEditor, type Flow } from "./FlowEditor";
import { useApprovalBuiltins, useCreateApprovalTemplate, useUnitTemplates, useUpdateFlow, type ApprovalTemplate } from "./api";
import "./approvals.css";

export default function ApprovalTemplatesPage() {
  const t = useT();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [unit, setUnit] = useUnitParam();
  const list = useUnitTemplates(unit);
  const [picking, setPicking] = useState(false);
  const [editing, setEditing] = useState<ApprovalTemplate | null>(null);
  const builtins = useApprovalBuiltins(picking);
  const create = useCreateApprovalTemplate();
  const save = useUpdateFlow();

  if (unit == null)
    return (
      <Card title={t("approvals.tpl.title")} className="bw-approvals-page">
        <UnitChooser value={null} onChange={setUnit} />
      </Card>
    );
  return (
    <Card
      title={t("approvals.tpl.title")}
      className="bw-approvals-page"
      extra={
        <Button icon={<PlusOutlined />} onClick={() => setPicking(true)} data-testid="approvals-tpl-new">
          {t("approvals.tpl.new")}
        </Button>
      }
    >
      <UnitChooser value={unit} onChange={setUnit} />
      {list.isPending ? (
        <Spin />
      ) : !list.data?.length ? (
        <Empty description={t("approvals.noTemplates")} />
      ) : (
        <List
          dataSource={list.data}
          renderItem={(tpl) => (
            <List.Item
              data-testid={`approvals-tpl-${tpl.id}`}
              actions={
                tpl.may_edit
                  ? [
                      <a key="flow" onClick={() => setEditing(tpl)} data-testid={`approvals-tpl-flow-${tpl.id}`}>
                        {t("approvals.flow")}
                      </a>,
                      <a key="form" onClick={() => navigate(`/forms/templates/${tpl.form_template_id}`)}>
                        <EditOutlined /> {t("approvals.tpl.form")}
                      </a>,
                    ]
                  : []
              }
            >
              <List.Item.Meta title={tpl.name} description={<Tag>{t("approvals.tpl.version", { n: tpl.flow_version })}</Tag>} />
              {tpl.unit_name}
            </List.Item>
          )}
        />
      )}
      <Modal open={picking} title={t("approvals.tpl.new")} footer={null} onCancel={() => setPicking(false)}>
        {builtins.isPending ? (
          <Spin />
        ) : (
          <List
            dataSource={builtins.data ?? []}
            renderItem={(b) => (
              <List.Item
                className="bw-approvals-item"
                data-testid={`approvals-builtin-${b.key}`}
                onClick={async () => {
                  try {
                    await create.mutateAsync({ unit_id: unit, name: b.name, builtin: b.key });
                    setPicking(false);
                  } catch (err) {
                    void message.error(errorText(err, t));
                  }
                }}
              >
                {b.name}
              </List.Item>
            )}
          />
        )}
      </Modal>
      <Modal open={editing != null} title={editing?.name} footer={null} onCancel={() => setEditing(null)} destroyOnHidden width={640}>
        {editing && (
          <FlowEditor
            initial={editing.flow as unknown as Flow}
            definition={editing.definition}
            busy={save.isPending}
            onSave={async (flow) => {
              try {
                await save.mutateAsync({ id: editing.id, flow });
                void message.success(t("approvals.done"));
                setEditing(null);
              } catch (err) {
                void message.error(errorText(err, t));
              }
            }}
          />
        )}
      </Modal>
    </Card>
  );
}
