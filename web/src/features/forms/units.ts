/**
 * The units a person designs forms for (templates.py `may_design`): those they head and the
 * classes they teach. Administrators and heads may pick any unit under them as well.
 */
import { useMe } from "../../api/hooks";
import type { MembershipOut } from "../../api/types";

export interface DesignUnit {
  id: number;
  name: string;
  kind: string;
  path: string;
}

export function useDesignUnits(): { units: DesignUnit[]; canPickAny: boolean } {
  const me = useMe().data;
  const seen = new Map<number, DesignUnit>();
  for (const m of (me?.memberships ?? []) as MembershipOut[]) {
    if (m.role !== "head" && m.role !== "teacher") continue;
    if (seen.has(m.unit.id)) continue;
    const names = m.unit.path_names?.length ? m.unit.path_names : [m.unit.name];
    seen.set(m.unit.id, { id: m.unit.id, name: m.unit.name, kind: m.unit.kind, path: names.slice(-2).join(" / ") });
  }
  return { units: [...seen.values()], canPickAny: !!me?.is_admin || (me?.managed_unit_ids.length ?? 0) > 0 };
}
