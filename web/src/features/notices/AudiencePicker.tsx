/**
 * Whom a notice goes to: people by name and units × roles ("guardians of 1班", "all staff of
 * the school"). The server resolves it with DING's rules and says when it reaches nobody.
 * Built from the shared pickers (PersonSelect, UnitTreeSelect); a class defaults to its
 * guardians, any other unit to its teachers, staff and heads.
 */
import { Button, Select, Space, Tag } from "antd";
import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { usePerson } from "../../api/hooks";
import type { UnitOut } from "../../api/types";
import type { components } from "../../api/schema";
import { useT } from "../../i18n";
import type { MessageKey } from "../../i18n/locales/zh-CN";
import { PersonSelect } from "../people/PersonSelect";
import { UnitTreeSelect } from "../layout/UnitTreeSelect";

export type AudienceRole = components["schemas"]["UnitAudience"]["roles"][number];
const ROLES: AudienceRole[] = ["guardian", "student", "teacher", "head", "staff", "member"];

export interface UnitRow {
  key: number;
  unit_id: number | null;
  roles: AudienceRole[];
}

function PersonTag({ id, onClose }: { id: number; onClose: () => void }) {
  const p = usePerson(id).data;
  return (
    <Tag closable onClose={onClose} data-testid="notice-person-tag">
      {p?.name ?? `#${id}`}
    </Tag>
  );
}

export function AudiencePicker({
  people,
  units,
  onPeople,
  onUnits,
}: {
  people: number[];
  units: UnitRow[];
  onPeople: (p: number[]) => void;
  onUnits: (u: UnitRow[]) => void;
}) {
  const t = useT();
  const setRow = (key: number, patch: Partial<UnitRow>) => onUnits(units.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      {units.map((row) => (
        <div key={row.key} style={{ display: "flex", gap: 8, flexWrap: "wrap" }} data-testid="notice-unit-row">
          <div style={{ flex: "1 1 180px", minWidth: 0 }}>
            <UnitTreeSelect
              value={row.unit_id}
              placeholder={t("ding.unitHint")}
              onChange={(id, unit?: UnitOut) => setRow(row.key, { unit_id: id, roles: unit?.kind === "class" ? ["guardian"] : row.roles })}
            />
          </div>
          <Select
            mode="multiple"
            style={{ flex: "1 1 180px", minWidth: 0 }}
            value={row.roles}
            placeholder={t("ding.roles")}
            onChange={(roles: AudienceRole[]) => setRow(row.key, { roles })}
            options={ROLES.map((r) => ({ value: r, label: t(`ding.role.${r}` as MessageKey) }))}
            data-testid="notice-roles"
          />
          <Button icon={<DeleteOutlined />} aria-label={t("common.remove")} onClick={() => onUnits(units.filter((r) => r.key !== row.key))} />
        </div>
      ))}
      <Button
        icon={<PlusOutlined />}
        onClick={() => onUnits([...units, { key: Date.now(), unit_id: null, roles: ["teacher", "staff", "head"] }])}
        data-testid="notice-add-unit"
      >
        {t("ding.addUnit")}
      </Button>
      <PersonSelect
        value={null}
        placeholder={t("notices.peopleHint")}
        exclude={people}
        onChange={(id) => onPeople(people.includes(id) ? people : [...people, id])}
      />
      {people.length > 0 && (
        <div>
          {people.map((id) => (
            <PersonTag key={id} id={id} onClose={() => onPeople(people.filter((p) => p !== id))} />
          ))}
        </div>
      )}
    </Space>
  );
}
