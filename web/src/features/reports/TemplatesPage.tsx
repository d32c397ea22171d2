/**
 * 汇报模板 (/reports/templates?unit=ID), for those who design for a unit (its heads and
 * teachers): the unit's report templates and those above it, each with its period, deadline
 * and reminders (editable here), and its questions edited in forms' own designer
 * (/forms/templates/:form_template_id: versions, validation, preview). New ones start from a
 * built-in template (daily progress, daily sales).
 */
import { useState } from "react";
import { App, Button, Card, Empty, Form, Input, InputNumber, List, Modal, Select, Space, Spin, Switch, Tag, TimePicker, Typography } from "antd";
import { EditOutlined, PlusOutlined } from "@ant-design/icons";
import { useNavigate } from "react-router-dom";
import dayjs from "dayjs";
import { errorText } from "../../app/errors";
import { useT } from "../../i18n";
import { useUnitParam } from "../forms/TemplatesPage";
import { UnitChooser } from "../forms/UnitChooser";
import {
  useCreateReportTemplate,
  useReportBuiltins,
  useReportTemplates,
  useUpdateReportTemplate,
  type ReportTemplate,
  type TemplateUpdate,
} from "./api";
import "./reports.css";

type Settings = {
  period: NonNullable<TemplateUpdate["period"]>;
  required: boolean;
  remind_before: number;
  remind_by: NonNullable<TemplateUpdate["remind_by"]>;
  deadline: dayjs.Dayjs;
};

function SettingsForm({ initial, onSubmit, busy, submitText, extra }: { initial: Settings; onSubmit: (s: Settings & { name?: string }) => void; busy: boolean; submitText: string; extra?: React.ReactNode }) {
  const t = useT();
  return (
    <Form layout="vertical" initialValues={initial} onFinish={onSubmit}>
      {extra}
      <Form.Item name="period" label={t("reports.tpl.period")}>
        <Select options={(["daily", "weekly", "monthly"] as const).map((p) => ({ value: p, label: t(`reports.period.${p}`) }))} />
      </Form.Item>
      <Form.Item name="deadline" label={t("reports.tpl.deadline")}>
        <TimePicker format="HH:mm" allowClear={false} inputReadOnly />
      </Form.Item>
      <Form.Item name="required" label={t("reports.tpl.required")} valuePropName="checked">
        <Switch />
      </Form.Item>
      <Form.Item name="remind_before" label={t("reports.tpl.remindBefore")}>
        <InputNumber min={0} max={1440} />
      </Form.Item>
      <Form.Item name="remind_by" label={t("reports.tpl.remindBy")}>
        <Select options={[{ value: "app", label: t("reports.tpl.remindApp") }, { value: "ding", label: t("reports.tpl.remindDing") }]} />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={busy} data-testid="reports-tpl-submit">
        {submitText}
      </Button>
    </Form>
  );
}

function settingsOf(tpl?: ReportTemplate): Settings {
  return {
    period: (tpl?.period ?? "daily") as Settings["period"],
    deadline: dayjs(`2000-01-01T${tpl?.deadline ?? "18:00"}`),
    required: tpl?.required ?? true,
    remind_before: tpl?.remind_before ?? 60,
    remind_by: (tpl?.remind_by ?? "app") as Settings["remind_by"],
  };
}

export default function ReportTemplatesPage() {
  const t = useT();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [unit, setUnit] = useUnitParam();
  const list = useReportTemplates(unit);
  const [creating, setCreating] = useState<string | null>(null);
  const [editing, setEditing] = useState<ReportTemplate | null>(null);
  const [picking, setPicking] = useState(false);
  const builtins = useReportBuiltins(picking || creating != null);
  const create = useCreateReportTemplate();
  const update = useUpdateReportTemplate();

  if (unit == null)
    return (
      <Card title={t("reports.tpl.title")} className="bw-reports-page">
        <UnitChooser value={null} onChange={setUnit} />
      </Card>
    );
  return (
    <Card
      title={t("reports.tpl.title")}
      className="bw-reports-page"
      extra={
        <Button icon={<PlusOutlined />} onClick={() => setPicking(true)} data-testid="reports-tpl-new">
          {t("reports.tpl.new")}
        </Button>
      }
    >
      <UnitChooser value={unit} onChange={setUnit} />
      {list.isPending ? (
        <Spin />
      ) : !list.data?.length ? (
        <Empty description={t("reports.noTemplates")} />
      ) : (
        <List
          dataSource={list.data}
          renderItem={(tpl) => (
            <List.Item
              data-testid={`reports-tpl-${tpl.id}`}
              actions={
                tpl.may_edit
                  ? [
                      <a key="settings" onClick={() => setEditing(tpl)}>
                        {t("reports.tpl.save")}
                      </a>,
                      <a key="edit" onClick={() => navigate(`/forms/templates/${tpl.form_template_id}`)} data-testid={`reports-tpl-edit-${tpl.id}`}>
                        <EditOutlined /> {t("reports.tpl.edit")}
                      </a>,
                    ]
                  : []
              }
            >
              <List.Item.Meta
                title={
                  <Space wrap>
                    {tpl.name}
                    <Tag>{t(`reports.period.${tpl.period}`)}</Tag>
                    {tpl.unit_id !== unit && <Tag>{t("reports.tpl.from", { unit: tpl.unit_name })}</Tag>}
                  </Space>
                }
                description={`${t("reports.due", { at: tpl.deadline })} · v${tpl.version}`}
              />
            </List.Item>
          )}
        />
      )}
      <Modal open={picking} title={t("reports.tpl.new")} footer={null} onCancel={() => setPicking(false)}>
        {(builtins.data ?? []).map((b) => (
          <Button key={b.key} block style={{ marginBottom: 8 }} onClick={() => (setPicking(false), setCreating(b.key))} data-testid={`reports-builtin-${b.key}`}>
            {b.name}
          </Button>
        ))}
      </Modal>
      <Modal open={creating != null} title={t("reports.tpl.new")} footer={null} onCancel={() => setCreating(null)} destroyOnHidden>
        {creating != null && (
          <SettingsForm
            initial={{ ...settingsOf(), ...{ name: builtins.data?.find((b) => b.key === creating)?.name ?? "" } }}
            busy={create.isPending}
            submitText={t("reports.tpl.create")}
            extra={
              <Form.Item name="name" label={t("reports.tpl.name")} rules={[{ required: true }]}>
                <Input maxLength={100} />
              </Form.Item>
            }
            onSubmit={async (s) => {
              try {
                await create.mutateAsync({ unit_id: unit, name: s.name ?? "", builtin: creating, ...s, deadline: s.deadline.format("HH:mm") });
                setCreating(null);
              } catch (err) {
                void message.error(errorText(err, t));
              }
            }}
          />
        )}
      </Modal>
      <Modal open={editing != null} title={editing?.name} footer={null} onCancel={() => setEditing(null)} destroyOnHidden>
        {editing && (
          <SettingsForm
            initial={settingsOf(editing)}
            busy={update.isPending}
            submitText={t("reports.tpl.save")}
            onSubmit={async (s) => {
              try {
                await update.mutateAsync({ id: editing.id, body: { ...s, deadline: s.deadline.format("HH:mm") } });
                void message.success(t("reports.tpl.saved"));
                setEditing(null);
              } catch (err) {
                void message.error(errorText(err, t));
              }
            }}
          />
        )}
      </Modal>
      <Typography.Paragraph type="secondary" style={{ marginTop: 12 }} />
    </Card>
  );
}
