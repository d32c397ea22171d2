import { useState } from "react";
import { App, Avatar, Button, Drawer, Dropdown, Grid, Layout, Menu, Space, Typography } from "antd";
import {
  AuditOutlined,
  ClusterOutlined,
  ContactsOutlined,
  KeyOutlined,
  LockOutlined,
  LogoutOutlined,
  MenuOutlined,
  MessageOutlined,
  PoweroffOutlined,
  ScheduleOutlined,
  UploadOutlined,
} from "@ant-design/icons";
import { Outlet, useLocation, useNavigate } from "react-router-dom";
import { useLogout, useMe } from "../../api/hooks";
import { useAccess } from "../../access";
import { useT } from "../../i18n";
import { LanguageSwitch } from "./LanguageSwitch";
import { UnitTree } from "./UnitTree";
import { useSelectedUnit } from "./selection";
import { ChatNavLabel, ChatRealtime } from "../chat/ChatRealtime";

export function useIsPhone(): boolean {
  const screens = Grid.useBreakpoint();
  // Before the first measurement every breakpoint is undefined: decide from the window.
  if (screens.md === undefined) return typeof window !== "undefined" && window.innerWidth < 768;
  return !screens.md;
}

function UserMenu({ phone }: { phone: boolean }) {
  const t = useT();
  const { modal } = App.useApp();
  const me = useMe().data;
  const navigate = useNavigate();
  const logout = useLogout(false);
  const logoutAll = useLogout(true);
  const done = { onSettled: () => navigate("/login", { replace: true }) };
  if (!me) return null;
  return (
    <Dropdown
      trigger={["click"]}
      menu={{
        items: [
          { key: "who", label: <Typography.Text type="secondary">{me.username ?? me.phone ?? me.email}</Typography.Text>, disabled: true },
          { type: "divider" },
          { key: "password", icon: <LockOutlined />, label: t("user.changePassword"), onClick: () => navigate("/password") },
          { key: "logout", icon: <LogoutOutlined />, label: t("user.logout"), onClick: () => logout.mutate(undefined, done) },
          {
            key: "logout-all",
            icon: <PoweroffOutlined />,
            danger: true,
            label: t("user.logoutAll"),
            onClick: () =>
              modal.confirm({
                title: t("user.logoutAll"),
                content: t("user.logoutAllConfirm"),
                okText: t("common.confirm"),
                cancelText: t("common.cancel"),
                onOk: () => logoutAll.mutateAsync(undefined, done),
              }),
          },
        ],
      }}
    >
      <Button type="text" data-testid="user-menu" aria-label={t("user.menu")} style={{ padding: "0 4px" }}>
        <Space size={6}>
          <Avatar size="small" style={{ background: "#1677ff" }}>
            {me.name.slice(0, 1)}
          </Avatar>
          {!phone && <bdi>{me.name}</bdi>}
        </Space>
      </Button>
    </Dropdown>
  );
}

export function AppLayout() {
  const t = useT();
  const phone = useIsPhone();
  const access = useAccess();
  const location = useLocation();
  const navigate = useNavigate();
  const [selected, select] = useSelectedUnit();
  const [menuOpen, setMenuOpen] = useState(false);

  const items = [
    { key: "/chat", icon: <MessageOutlined />, label: <ChatNavLabel /> },
    { key: "/directory", icon: <ContactsOutlined />, label: t("nav.directory") },
    { key: "/units", icon: <ClusterOutlined />, label: t("nav.units") },
    ...(access.canManageSomething ? [{ key: "/import", icon: <UploadOutlined />, label: t("nav.import") }] : []),
    { key: "/tokens", icon: <KeyOutlined />, label: t("nav.tokens") },
    ...(access.canSeeAudit ? [{ key: "/audit", icon: <AuditOutlined />, label: t("nav.audit") }] : []),
    ...(access.canSeeJobs ? [{ key: "/jobs", icon: <ScheduleOutlined />, label: t("nav.jobs") }] : []),
  ];
  const current = items.find((i) => location.pathname.startsWith(i.key))?.key;
  const go = (key: string) => {
    setMenuOpen(false);
    const keepUnit = (key === "/directory" || key === "/units") && selected != null;
    navigate(keepUnit ? `${key}?unit=${selected}` : key);
  };
  const showTree = !phone && (location.pathname === "/directory" || location.pathname === "/units");

  return (
    <Layout style={{ minHeight: "100vh" }}>
      <Layout.Header className="bw-header">
        {phone && (
          <Button type="text" icon={<MenuOutlined />} aria-label={t("nav.menu")} data-testid="nav-toggle" onClick={() => setMenuOpen(true)} />
        )}
        <span className="bw-logo" onClick={() => navigate("/directory")}>
          {t("app.name")}
        </span>
        {phone ? (
          <div style={{ flex: 1 }} />
        ) : (
          <Menu mode="horizontal" selectedKeys={current ? [current] : []} items={items} onClick={(e) => go(e.key)} />
        )}
        <LanguageSwitch compact={phone} />
        <UserMenu phone={phone} />
      </Layout.Header>
      <Layout>
        {showTree && (
          <Layout.Sider width={272} className="bw-sider" theme="light">
            <UnitTree selectedId={selected} onSelect={select} />
          </Layout.Sider>
        )}
        <Layout.Content className="bw-content">
          <ChatRealtime />
          <Outlet />
        </Layout.Content>
      </Layout>
      <Drawer placement="left" open={menuOpen} onClose={() => setMenuOpen(false)} size={260} title={t("app.name")} styles={{ body: { padding: 0 } }}>
        <Menu mode="inline" selectedKeys={current ? [current] : []} items={items} onClick={(e) => go(e.key)} style={{ borderInlineEnd: "none" }} />
      </Drawer>
    </Layout>
  );
}
