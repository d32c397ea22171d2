/**
 * A unit's attendance rule (/attendance/rules?unit=), for its heads: shift kind and hours,
 * working or school days, grace, the allowed places (a circle each; "use my location" fills the
 * head's current position) and network ranges, and whether field work is allowed.
 */
import { useEffect } from "react";
import { Alert, App, Button, Card, Checkbox, Form, Input, InputNumber, Select, Space, Spin, Switch } from "antd";
import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSearchParams } from "react-router-dom";
import { api, call } from "../../api/http";
import type { components } from "../../api/schema";
import { useMe } from "../../api/hooks";
import { errorText, fieldErrors } from "../../app/errors";
import { useT, type MessageKey } from "../../i18n";
import "./attendance.css";

type RuleIn = components["schemas"]["RuleIn"];
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

export default function RulePage() {
  const t = useT();
  const { message } = App.useApp();
  const me = useMe().data;
  const [params, setParams] = useSearchParams();
  const units = (me?.memberships ?? []).filter((m) => m.role === "head").map((m) => m.unit);
  const unit = params.get("unit") ? Number(params.get("unit")) : (units[0]?.id ?? null);
  const [form] = Form.useForm<RuleIn>();
  const qc = useQueryClient();
  const rule = useQuery({
    queryKey: ["attendance", "rule", unit],
    enabled: unit != null,
    queryFn: () => call(api.GET("/api/v1/attendance/rules/{unit_id}", { params: { path: { unit_id: unit ?? 0 } } })),
  });
  const save = useMutation({
    mutationFn: (body: RuleIn) => call(api.PUT("/api/v1/attendance/rules/{unit_id}", { params: { path: { unit_id: unit ?? 0 } }, body })),
    meta: { silent: true },
    onSuccess: () => {
      void message.success(t("attendance.rule.saved"));
      void qc.invalidateQueries({ queryKey: ["attendance"] });
    },
    onError: (e) => form.setFields(fieldErrors(e).map((f) => ({ name: f.name.split(".").map((p) => (/^\d+$/.test(p) ? Number(p) : p)) as never, errors: f.errors }))),
  });

  useEffect(() => {
    const r = rule.data;
    form.setFieldsValue(
      r
        ? { ...r }
        : { name: "", kind: "fixed", weekdays: [1, 2, 3, 4, 5], start: "09:00", end: "18:00", late_grace: 0, work_minutes: 480, places: [], networks: [], field_work: false },
    );
  }, [rule.data, form]);

  const here = (index: number) =>
    navigator.geolocation?.getCurrentPosition((pos) => {
      const places = [...(form.getFieldValue("places") ?? [])];
      places[index] = { ...places[index], lat: Number(pos.coords.latitude.toFixed(6)), lng: Number(pos.coords.longitude.toFixed(6)) };
      form.setFieldsValue({ places });
    });

  if (unit == null) return <Alert type="info" showIcon title={t("attendance.noRule")} />;
  if (rule.isPending) return <Spin />;
  const inherited = rule.data && rule.data.unit_id !== unit ? rule.data.unit_name : null;
  return (
    <Card className="bw-att-page" title={t("attendance.rules")}>
      {units.length > 1 && (
        <Select
          style={{ minWidth: 180, marginBottom: 12 }}
          value={unit}
          aria-label={t("attendance.stats.unit")}
          options={units.map((u) => ({ value: u.id, label: u.name }))}
          onChange={(id: number) => setParams({ unit: String(id) }, { replace: true })}
        />
      )}
      {inherited && <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t("attendance.rule.inherited", { unit: inherited })} />}
      {save.isError && <Alert type="error" showIcon style={{ marginBottom: 12 }} title={errorText(save.error, t)} />}
      <Form form={form} layout="vertical" onFinish={(v) => save.mutate({ ...v, places: v.places ?? [], networks: v.networks ?? [] })} data-testid="attendance-rule-form">
        <Form.Item name="name" label={t("attendance.rule.name")} rules={[{ required: true }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="kind" label={t("attendance.rule.kind")}>
          <Select options={(["fixed", "flexible", "school"] as const).map((k) => ({ value: k, label: t(`attendance.kind.${k}` as MessageKey) }))} />
        </Form.Item>
        <Form.Item name="weekdays" label={t("attendance.rule.weekdays")}>
          <Checkbox.Group options={[1, 2, 3, 4, 5, 6, 7].map((d) => ({ value: d, label: t(`attendance.weekday.${d}` as MessageKey) }))} />
        </Form.Item>
        <Space wrap>
          <Form.Item name="start" label={t("attendance.rule.start")} rules={[{ pattern: HHMM, message: "HH:MM" }]}>
            <Input style={{ width: 100 }} placeholder="09:00" />
          </Form.Item>
          <Form.Item name="end" label={t("attendance.rule.end")} rules={[{ pattern: HHMM, message: "HH:MM" }]}>
            <Input style={{ width: 100 }} placeholder="18:00" />
          </Form.Item>
          <Form.Item name="late_grace" label={t("attendance.rule.grace")}>
            <InputNumber min={0} max={240} />
          </Form.Item>
          <Form.Item name="work_minutes" label={t("attendance.rule.workMinutes")}>
            <InputNumber min={30} max={1440} />
          </Form.Item>
        </Space>
        <Form.Item label={t("attendance.rule.places")}>
          <Form.List name="places">
            {(fields, { add, remove }) => (
              <Space direction="vertical" style={{ width: "100%" }}>
                {fields.map((f) => (
                  <Card size="small" key={f.key}>
                    <Space wrap align="end">
                      <Form.Item name={[f.name, "name"]} label={t("attendance.rule.placeName")} rules={[{ required: true }]}>
                        <Input maxLength={100} />
                      </Form.Item>
                      <Form.Item name={[f.name, "lat"]} label={t("attendance.rule.lat")} rules={[{ required: true }]}>
                        <InputNumber min={-90} max={90} step={0.0001} />
                      </Form.Item>
                      <Form.Item name={[f.name, "lng"]} label={t("attendance.rule.lng")} rules={[{ required: true }]}>
                        <InputNumber min={-180} max={180} step={0.0001} />
                      </Form.Item>
                      <Form.Item name={[f.name, "radius"]} label={t("attendance.rule.radius")} initialValue={300}>
                        <InputNumber min={20} max={5000} />
                      </Form.Item>
                      <Form.Item>
                        <Space>
                          <Button onClick={() => here(f.name)}>{t("attendance.rule.here")}</Button>
                          <Button icon={<DeleteOutlined />} onClick={() => remove(f.name)} aria-label="delete" />
                        </Space>
                      </Form.Item>
                    </Space>
                  </Card>
                ))}
                {fields.length < 20 && (
                  <Button icon={<PlusOutlined />} onClick={() => add({ name: "", radius: 300 })}>
                    {t("attendance.rule.addPlace")}
                  </Button>
                )}
              </Space>
            )}
          </Form.List>
        </Form.Item>
        <Form.Item name="networks" label={t("attendance.rule.networks")} extra={t("attendance.rule.networksHelp")}>
          <Select mode="tags" tokenSeparators={[",", " "]} open={false} />
        </Form.Item>
        <Form.Item name="field_work" label={t("attendance.rule.fieldWork")} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="attendance-rule-save">
          {t("attendance.rule.save")}
        </Button>
      </Form>
    </Card>
  );
}
