import { useState } from "react";
import { Breadcrumb, Button, Drawer } from "antd";
import { ApartmentOutlined, HomeOutlined } from "@ant-design/icons";
import { useAncestors } from "../../api/hooks";
import { useT } from "../../i18n";
import { UnitTree } from "./UnitTree";
import { useIsPhone } from "./AppLayout";

/** Breadcrumb of the selected unit; on a phone also the button that opens the tree in a drawer. */
export function UnitBar({ selectedId, onSelect }: { selectedId: number | null; onSelect: (id: number | null) => void }) {
  const t = useT();
  const phone = useIsPhone();
  const [open, setOpen] = useState(false);
  const ancestors = useAncestors(selectedId);
  const crumbs = [
    {
      key: "all",
      title: (
        <a onClick={() => onSelect(null)}>
          <HomeOutlined /> {t("tree.allUnits")}
        </a>
      ),
    },
    ...(ancestors.data ?? []).map((u, i, all) => ({
      key: u.id,
      title: i === all.length - 1 ? <bdi>{u.name}</bdi> : <a onClick={() => onSelect(u.id)}><bdi>{u.name}</bdi></a>,
    })),
  ];
  return (
    <div style={{ display: "flex", alignItems: "center", gap: 8, marginBottom: 12, flexWrap: "wrap" }}>
      {phone && (
        <>
          <Button icon={<ApartmentOutlined />} onClick={() => setOpen(true)} data-testid="unit-picker">
            {t("tree.pickUnit")}
          </Button>
          <Drawer placement="left" open={open} onClose={() => setOpen(false)} size="85%" title={t("tree.title")} styles={{ body: { padding: 0 } }}>
            <UnitTree
              selectedId={selectedId}
              onSelect={(id) => {
                onSelect(id);
                setOpen(false);
              }}
            />
          </Drawer>
        </>
      )}
      <Breadcrumb data-testid="unit-breadcrumb" items={crumbs} style={{ minWidth: 0 }} />
    </div>
  );
}
