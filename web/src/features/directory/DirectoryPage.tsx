import { useEffect, useRef, useState } from "react";
import { Button, Card, Empty, Input, Space, Spin, Switch, Tag, Typography } from "antd";
import { PlusOutlined, SearchOutlined } from "@ant-design/icons";
import { useSearchParams } from "react-router-dom";
import { usePeople, useUnit } from "../../api/hooks";
import type { PersonBrief } from "../../api/types";
import { useAccess } from "../../access";
import { useT } from "../../i18n";
import { useDebounced } from "../../lib/useDebounced";
import { UnitBar } from "../layout/UnitBar";
import { useSelectedUnit } from "../layout/selection";
import { PersonDrawer } from "../people/PersonDrawer";
import { CreatePersonModal } from "../people/CreatePersonModal";
import { PhoneText, RoleTag } from "../people/labels";
import { PersonAvatar } from "../people/PersonPhoto";

function PersonRow({ p, onOpen }: { p: PersonBrief; onOpen: () => void }) {
  const t = useT();
  const roles = p.memberships.slice(0, 3);
  return (
    <div
      className="bw-person-row"
      role="button"
      tabIndex={0}
      data-testid="person-row"
      onClick={onOpen}
      onKeyDown={(e) => (e.key === "Enter" ? onOpen() : undefined)}
      style={{ display: "flex", gap: 12, alignItems: "center", borderBottom: "1px solid #f0f0f0" }}
    >
      <PersonAvatar name={p.name} photoUrl={p.photo_url} active={p.active} testId="person-row-avatar" />
      <div style={{ minWidth: 0, flex: 1 }}>
        <div style={{ display: "flex", gap: 8, alignItems: "center", flexWrap: "wrap", rowGap: 2 }}>
          <Typography.Text strong data-testid="person-name">
            <bdi>{p.name}</bdi>
          </Typography.Text>
          {p.title && (
            <Typography.Text type="secondary">
              <bdi>{p.title}</bdi>
            </Typography.Text>
          )}
          {!p.active && <Tag color="red">{t("dir.inactive")}</Tag>}
          {p.is_admin && <Tag color="magenta">{t("user.admin")}</Tag>}
          <span>
            {roles.map((m, i) => (
              <RoleTag key={i} role={m.role} unit={m.unit_name} />
            ))}
            {p.memberships.length > roles.length && <Tag>+{p.memberships.length - roles.length}</Tag>}
          </span>
        </div>
        <div style={{ fontSize: 13, color: "#666", display: "flex", gap: 12, flexWrap: "wrap", marginTop: 2 }}>
          <span>
            {t("person.phone")}: <PhoneText phone={p.phone} hidden={p.phone_hidden} />
          </span>
          {p.student_number && (
            <span>
              {t("person.studentNumber")}: {p.student_number}
            </span>
          )}
        </div>
      </div>
    </div>
  );
}

export function DirectoryPage() {
  const t = useT();
  const access = useAccess();
  const [params, setParams] = useSearchParams();
  const [unitId, selectUnit] = useSelectedUnit();
  const subtree = params.get("sub") !== "0";
  const [q, setQ] = useState(params.get("q") ?? "");
  const [inactive, setInactive] = useState(false);
  const [creating, setCreating] = useState(false);
  const query = useDebounced(q.trim(), 300);
  const personId = params.get("person") ? Number(params.get("person")) : null;
  const unit = useUnit(unitId);

  const people = usePeople({ q: query, unitId, subtree, includeInactive: inactive });
  const items = people.data?.pages.flatMap((p) => p.items) ?? [];

  const setParam = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value == null) next.delete(key);
    else next.set(key, value);
    setParams(next, { replace: key !== "person" });
  };

  // Infinite scroll: load the next page when the sentinel comes into view.
  const sentinel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !people.hasNextPage) return;
    const io = new IntersectionObserver((entries) => {
      if (entries[0]?.isIntersecting && !people.isFetchingNextPage) void people.fetchNextPage();
    });
    io.observe(el);
    return () => io.disconnect();
  }, [people.hasNextPage, people.isFetchingNextPage, people]);

  return (
    <div data-testid="directory">
      <UnitBar selectedId={unitId} onSelect={selectUnit} />
      <Card styles={{ body: { padding: 0 } }}>
        <div style={{ padding: 12, display: "flex", gap: 12, flexWrap: "wrap", alignItems: "center", borderBottom: "1px solid #f0f0f0" }}>
          <Input
            allowClear
            data-testid="directory-search"
            prefix={<SearchOutlined />}
            placeholder={t("dir.searchPlaceholder")}
            value={q}
            onChange={(e) => setQ(e.target.value)}
            style={{ flex: "1 1 240px", minWidth: 0 }}
          />
          <Space wrap size={12}>
            {unitId != null && (
              <label style={{ whiteSpace: "nowrap" }}>
                <Switch size="small" checked={subtree} onChange={(v) => setParam("sub", v ? null : "0")} data-testid="subtree-toggle" />{" "}
                {t("dir.includeSubunits")}
              </label>
            )}
            {access.canManageSomething && (
              <label style={{ whiteSpace: "nowrap" }}>
                <Switch size="small" checked={inactive} onChange={setInactive} /> {t("dir.includeInactive")}
              </label>
            )}
            {access.canManageSomething && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="new-person">
                {t("dir.newPerson")}
              </Button>
            )}
          </Space>
        </div>
        {people.isPending ? (
          <Spin style={{ display: "block", margin: 48 }} />
        ) : items.length === 0 ? (
          <Empty style={{ padding: 48 }} description={t("dir.noPeople")} />
        ) : (
          <div data-testid="people-list">
            {items.map((p) => (
              <PersonRow key={p.id} p={p} onOpen={() => setParam("person", String(p.id))} />
            ))}
          </div>
        )}
        <div ref={sentinel} style={{ padding: 12, textAlign: "center", color: "#999" }}>
          {items.length > 0 && <span style={{ marginRight: 12 }}>{t("dir.count", { n: items.length })}</span>}
          {people.hasNextPage ? (
            <Button onClick={() => void people.fetchNextPage()} loading={people.isFetchingNextPage} data-testid="load-more">
              {t("common.loadMore")}
            </Button>
          ) : (
            items.length > 0 && <span>{t("common.noMore")}</span>
          )}
        </div>
      </Card>
      <PersonDrawer personId={personId} onClose={() => setParam("person", null)} onOpenPerson={(id) => setParam("person", String(id))} />
      {creating && (
        <CreatePersonModal
          defaultUnitId={unitId != null && unit.data?.can_manage !== false ? unitId : null}
          onClose={(id) => {
            setCreating(false);
            if (id) setParam("person", String(id));
          }}
        />
      )}
    </div>
  );
}
