import { useEffect, useState } from "react";
import { Button, Empty, Spin, Tag, Tree, type TreeDataNode } from "antd";
import { ApartmentOutlined } from "@ant-design/icons";
import { useQueries, useQueryClient } from "@tanstack/react-query";
import { fetchChildren, unitKeys, useAncestors, useRoots } from "../../api/hooks";
import type { UnitOut } from "../../api/types";
import { useT } from "../../i18n";

interface Node extends TreeDataNode {
  unit: UnitOut;
}

/** Expanded-node state plus lazily loaded children, shared by the sider tree and the move dialog. */
export function useLazyUnitTree(focusId: number | null, enabled = true) {
  const qc = useQueryClient();
  const roots = useRoots(enabled);
  const [expanded, setExpanded] = useState<number[]>([]);
  const ancestors = useAncestors(enabled ? focusId : null);

  // Open the path down to the focused unit (reload with ?unit=, breadcrumb clicks).
  useEffect(() => {
    const ids = (ancestors.data ?? []).slice(0, -1).map((u) => u.id);
    if (ids.length) setExpanded((prev) => Array.from(new Set([...prev, ...ids])));
  }, [ancestors.data]);

  const children = useQueries({
    queries: expanded.map((id) => ({
      queryKey: unitKeys.children(id),
      queryFn: () => fetchChildren(id),
      staleTime: 30_000,
    })),
  });
  const childrenOf = new Map<number, UnitOut[] | undefined>();
  expanded.forEach((id, i) => childrenOf.set(id, children[i]?.data));

  const loadData = async (node: { key: React.Key }) => {
    await qc.fetchQuery({ queryKey: unitKeys.children(Number(node.key)), queryFn: () => fetchChildren(Number(node.key)), staleTime: 30_000 });
  };
  return { roots, expanded, setExpanded, childrenOf, loadData };
}

export function buildNodes(
  units: UnitOut[] | undefined,
  childrenOf: Map<number, UnitOut[] | undefined>,
  title: (u: UnitOut) => React.ReactNode,
  disabled?: (u: UnitOut) => boolean,
): Node[] {
  return (units ?? []).map((u) => {
    const kids = childrenOf.get(u.id);
    return {
      key: u.id,
      unit: u,
      title: title(u),
      isLeaf: u.child_count === 0,
      disabled: disabled?.(u),
      children: kids ? buildNodes(kids, childrenOf, title, disabled) : undefined,
    };
  });
}

export function UnitTree({ selectedId, onSelect }: { selectedId: number | null; onSelect: (id: number | null) => void }) {
  const t = useT();
  const { roots, expanded, setExpanded, childrenOf, loadData } = useLazyUnitTree(selectedId);
  const nodes = buildNodes(roots.data, childrenOf, (u) => (
    <span data-testid={`unit-node-${u.id}`}>
      <bdi>{u.name}</bdi>
      {u.archived && <Tag style={{ marginLeft: 4 }}>{t("units.archived")}</Tag>}
    </span>
  ));

  return (
    <div data-testid="unit-tree">
      <div style={{ padding: "12px 12px 4px", display: "flex", alignItems: "center", justifyContent: "space-between" }}>
        <strong>
          <ApartmentOutlined /> {t("tree.title")}
        </strong>
        <Button size="small" type={selectedId == null ? "primary" : "text"} onClick={() => onSelect(null)}>
          {t("common.all")}
        </Button>
      </div>
      {roots.isPending ? (
        <Spin style={{ display: "block", margin: 24 }} />
      ) : nodes.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("tree.empty")} />
      ) : (
        <Tree
          blockNode
          style={{ padding: "0 4px 12px" }}
          treeData={nodes}
          loadData={loadData}
          expandedKeys={expanded}
          onExpand={(keys) => setExpanded(keys.map(Number))}
          selectedKeys={selectedId != null ? [selectedId] : []}
          onSelect={(keys) => {
            if (keys.length) onSelect(Number(keys[0]));
          }}
        />
      )}
    </div>
  );
}
