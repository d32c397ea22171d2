/**
 * 新建 DING (/ding/new): recipients (people by name, units × roles), the text, the channels
 * besides in-app, now or at a minute. The server resolves the audience and says when it is
 * empty or out of reach; its error shows under the form.
 */
import { useRef, useState } from "react";
import { Alert, Button, Card, Checkbox, DatePicker, Form, Input, Radio, Select, Space, Tag } from "antd";
import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { useNavigate } from "react-router-dom";
import dayjs, { type Dayjs } from "dayjs";
import { usePerson } from "../../api/hooks";
import type { UnitOut } from "../../api/types";
import { errorText } from "../../app/errors";
import { useT } from "../../i18n";
import type { MessageKey } from "../../i18n/locales/zh-CN";
import { PersonSelect } from "../people/PersonSelect";
import { UnitTreeSelect } from "../layout/UnitTreeSelect";
import { useSendDing, type AudienceRole } from "./api";

const ROLES: AudienceRole[] = ["guardian", "student", "teacher", "head", "staff", "member"];

interface UnitRow {
  key: number;
  unit_id: number | null;
  roles: AudienceRole[];
}

function PersonTag({ id, onClose }: { id: number; onClose: () => void }) {
  const p = usePerson(id).data;
  return (
    <Tag closable onClose={onClose} data-testid="ding-person-tag">
      {p?.name ?? `#${id}`}
    </Tag>
  );
}

export default function DingComposePage() {
  const t = useT();
  const navigate = useNavigate();
  const send = useSendDing();
  const clientId = useRef(crypto.randomUUID?.() ?? `${Date.now()}-${Math.random()}`);
  const [people, setPeople] = useState<number[]>([]);
  const [units, setUnits] = useState<UnitRow[]>([]);
  const [body, setBody] = useState("");
  const [channels, setChannels] = useState<("sms" | "email")[]>([]);
  const [when, setWhen] = useState<"now" | "later">("now");
  const [at, setAt] = useState<Dayjs | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const chosen = units.filter((u) => u.unit_id != null && u.roles.length > 0);
  const ready = body.trim().length > 0 && (people.length > 0 || chosen.length > 0) && (when === "now" || at != null);
  const submit = async () => {
    setProblem(null);
    try {
      const d = await send.mutateAsync({
        client_id: clientId.current,
        body: body.trim(),
        people,
        units: chosen.map((u) => ({ unit_id: u.unit_id!, roles: u.roles })),
        channels,
        send_at: when === "later" && at ? at.second(0).millisecond(0).toISOString() : null,
      });
      navigate(`/ding/${d.id}`, { replace: true });
    } catch (err) {
      setProblem(errorText(err, t));
      clientId.current = crypto.randomUUID?.() ?? `${Date.now()}-${Math.random()}`;
    }
  };
  const setRow = (key: number, patch: Partial<UnitRow>) => setUnits((rows) => rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));

  return (
    <Card title={t("ding.new")} data-testid="ding-compose">
      <Form layout="vertical" onFinish={() => void submit()}>
        <Form.Item label={t("ding.people")}>
          <Space orientation="vertical" style={{ width: "100%" }}>
            <PersonSelect
              value={null}
              placeholder={t("ding.peopleHint")}
              exclude={people}
              onChange={(id) => setPeople((ps) => (ps.includes(id) ? ps : [...ps, id]))}
              data-testid="ding-person-select"
            />
            {people.length > 0 && (
              <div>
                {people.map((id) => (
                  <PersonTag key={id} id={id} onClose={() => setPeople((ps) => ps.filter((p) => p !== id))} />
                ))}
              </div>
            )}
          </Space>
        </Form.Item>
        <Form.Item label={t("ding.units")}>
          <Space orientation="vertical" style={{ width: "100%" }}>
            {units.map((row) => (
              <div key={row.key} style={{ display: "flex", gap: 8, flexWrap: "wrap" }} data-testid="ding-unit-row">
                <div style={{ flex: "1 1 180px", minWidth: 0 }}>
                  <UnitTreeSelect
                    value={row.unit_id}
                    placeholder={t("ding.unitHint")}
                    onChange={(id, unit?: UnitOut) =>
                      setRow(row.key, {
                        unit_id: id,
                        roles: unit?.kind === "class" ? ["guardian"] : row.roles,
                      })
                    }
                  />
                </div>
                <Select
                  mode="multiple"
                  style={{ flex: "1 1 180px", minWidth: 0 }}
                  value={row.roles}
                  placeholder={t("ding.roles")}
                  onChange={(roles: AudienceRole[]) => setRow(row.key, { roles })}
                  options={ROLES.map((r) => ({ value: r, label: t(`ding.role.${r}` as MessageKey) }))}
                />
                <Button icon={<DeleteOutlined />} aria-label={t("common.remove")} onClick={() => setUnits((rows) => rows.filter((r) => r.key !== row.key))} />
              </div>
            ))}
            <Button
              icon={<PlusOutlined />}
              onClick={() => setUnits((rows) => [...rows, { key: Date.now(), unit_id: null, roles: ["teacher", "staff", "head"] }])}
              data-testid="ding-add-unit"
            >
              {t("ding.addUnit")}
            </Button>
          </Space>
        </Form.Item>
        <Form.Item label={t("ding.text")} required>
          <Input.TextArea
            value={body}
            onChange={(e) => setBody(e.target.value)}
            maxLength={500}
            showCount
            autoSize={{ minRows: 3, maxRows: 8 }}
            placeholder={t("ding.textHint")}
            data-testid="ding-text"
          />
        </Form.Item>
        <Form.Item label={t("ding.channels")} extra={t("ding.channelsHint")}>
          <Checkbox.Group
            value={channels}
            onChange={(v) => setChannels(v as ("sms" | "email")[])}
            options={[
              { value: "sms", label: t("ding.sms") },
              { value: "email", label: t("ding.email") },
            ]}
          />
        </Form.Item>
        <Form.Item label={t("ding.when")}>
          <Space orientation="vertical" style={{ width: "100%" }}>
            <Radio.Group value={when} onChange={(e) => setWhen(e.target.value)} data-testid="ding-when">
              <Radio value="now">{t("ding.now")}</Radio>
              <Radio value="later">{t("ding.later")}</Radio>
            </Radio.Group>
            {when === "later" && (
              <DatePicker
                showTime={{ format: "HH:mm" }}
                format="YYYY-MM-DD HH:mm"
                value={at}
                onChange={setAt}
                disabledDate={(d) => d.isBefore(dayjs().startOf("day"))}
                style={{ width: "100%", maxWidth: 280 }}
                data-testid="ding-at"
              />
            )}
          </Space>
        </Form.Item>
        {problem && <Alert type="error" showIcon title={problem} style={{ marginBottom: 16 }} data-testid="ding-problem" />}
        <Button type="primary" danger htmlType="submit" block disabled={!ready} loading={send.isPending} data-testid="ding-send">
          {when === "now" ? t("ding.sendNow") : t("ding.schedule")}
        </Button>
      </Form>
    </Card>
  );
}
