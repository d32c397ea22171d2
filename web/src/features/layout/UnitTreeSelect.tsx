import { TreeSelect } from "antd";
import type { UnitOut } from "../../api/types";
import { buildNodes, useLazyUnitTree } from "./UnitTree";

interface Props {
  value?: number | null;
  onChange?: (id: number | null, unit?: UnitOut) => void;
  placeholder?: string;
  disabled?: (u: UnitOut) => boolean;
  id?: string;
  "data-testid"?: string;
}

/** Choose a unit from the lazily loaded tree (used by move, add membership, import, create person). */
export function UnitTreeSelect({ value, onChange, placeholder, disabled, id, ...rest }: Props) {
  const { roots, expanded, setExpanded, childrenOf, loadData } = useLazyUnitTree(value ?? null);
  const byId = new Map<number, UnitOut>();
  const nodes = buildNodes(
    roots.data,
    childrenOf,
    (u) => {
      byId.set(u.id, u);
      return u.name;
    },
    disabled,
  );
  type N = (typeof nodes)[number];
  const withValue = (ns: N[]): unknown[] =>
    ns.map((n) => ({ ...n, value: n.key, children: n.children ? withValue(n.children as N[]) : undefined }));
  return (
    <TreeSelect
      id={id}
      data-testid={rest["data-testid"]}
      style={{ width: "100%" }}
      value={value ?? undefined}
      placeholder={placeholder}
      treeData={withValue(nodes) as never}
      loadData={loadData as never}
      treeExpandedKeys={expanded}
      onTreeExpand={(keys) => setExpanded(keys.map(Number))}
      onChange={(v) => onChange?.(v == null ? null : Number(v), v == null ? undefined : byId.get(Number(v)))}
      showSearch={{ treeNodeFilterProp: "title" }}
      allowClear
      popupMatchSelectWidth={false}
      listHeight={320}
      loading={roots.isPending}
    />
  );
}
