import { Tag } from "antd";
import type { Role, UnitKind } from "../../api/types";
import { useT } from "../../i18n";

export const ROLE_COLORS: Record<Role, string> = {
  head: "gold",
  staff: "blue",
  teacher: "green",
  student: "cyan",
  guardian: "purple",
  member: "default",
};

export function RoleTag({ role, unit }: { role: Role; unit?: string }) {
  const t = useT();
  return (
    <Tag color={ROLE_COLORS[role]} style={{ marginInlineEnd: 4 }}>
      {unit ? <><bdi>{unit}</bdi> · </> : ""}
      {t(`role.${role}`)}
    </Tag>
  );
}

export function useKindLabel() {
  const t = useT();
  return (k: UnitKind) => t(`kind.${k}`);
}

export function PhoneText({ phone, hidden }: { phone: string | null; hidden: boolean }) {
  const t = useT();
  if (hidden) return <span style={{ color: "#999" }} data-testid="phone-hidden">{t("common.hidden")}</span>;
  return <span>{phone ?? t("common.none")}</span>;
}
