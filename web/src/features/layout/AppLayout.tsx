import type { ReactNode } from "react";
import { App, Avatar, Badge, Button, Dropdown, Grid, Layout, Menu, Space, Typography } from "antd";
import {
  AppstoreOutlined,
  ArrowLeftOutlined,
  ContactsOutlined,
  LockOutlined,
  LogoutOutlined,
  FileTextOutlined,
  MessageOutlined,
  PoweroffOutlined,
  UserOutlined,
} from "@ant-design/icons";
import { Outlet, useLocation, useNavigate } from "react-router-dom";
import { useLogout, useMe } from "../../api/hooks";
import { useT } from "../../i18n";
import { LanguageSwitch } from "./LanguageSwitch";
import { UnitTree } from "./UnitTree";
import { useSelectedUnit } from "./selection";
import { ChatNavLabel, ChatRealtime, useUnreadTotal } from "../chat/ChatRealtime";
import { CallHost } from "../calls/CallHost";
import { DingRealtime } from "../ding/DingRealtime";
import { NoticeRealtime, useNoticeBadge } from "../notices/NoticeRealtime";
import { MeetingRealtime } from "../meetings/MeetingRealtime";
import { ConnectionLine } from "./ConnectionLine";

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
          { key: "me", icon: <UserOutlined />, label: t("nav.me"), onClick: () => navigate("/me") },
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

/** The four places of the app; on a phone they are the tab bar at the bottom. */
const TABS = ["/chat", "/workbench", "/directory", "/me"] as const;
type Tab = (typeof TABS)[number];

/** Where a page below the tabs goes back to when there is no history to go back through. */
function parentOf(pathname: string): Tab {
  if (pathname.startsWith("/password") || pathname.startsWith("/settings")) return "/me";
  if (pathname.startsWith("/chat")) return "/chat";
  return "/workbench";
}

function TabBar({ current }: { current: Tab | undefined }) {
  const t = useT();
  const navigate = useNavigate();
  const icons: Record<Tab, ReactNode> = {
    "/chat": <MessageOutlined />,
    "/workbench": <AppstoreOutlined />,
    "/directory": <ContactsOutlined />,
    "/me": <UserOutlined />,
  };
  const labels: Record<Tab, ReactNode> = {
    "/chat": <ChatNavLabel badge={false} />,
    "/workbench": t("nav.workbench"),
    "/directory": t("nav.directory"),
    "/me": t("nav.me"),
  };
  return (
    <nav className="bw-tabbar" aria-label={t("nav.tabs")} data-testid="tabbar">
      {TABS.map((key) => (
        <button
          key={key}
          type="button"
          className={`bw-tab${current === key ? " bw-tab-active" : ""}`}
          aria-current={current === key ? "page" : undefined}
          data-testid={`tab-${key.slice(1)}`}
          onClick={() => navigate(key)}
        >
          {key === "/chat" ? <ChatTabIcon>{icons[key]}</ChatTabIcon> : key === "/workbench" ? <NoticeTabIcon>{icons[key]}</NoticeTabIcon> : icons[key]}
          <span className="bw-tab-label">{labels[key]}</span>
        </button>
      ))}
    </nav>
  );
}

/** The 消息 tab's icon with the unread total on it. */
function ChatTabIcon({ children }: { children: ReactNode }) {
  const total = useUnreadTotal();
  return (
    <Badge count={total} overflowCount={99} size="small" offset={[4, 0]} data-testid="tab-chat-badge">
      <span className="bw-tab-icon">{children}</span>
    </Badge>
  );
}

/** The 工作台 tab's icon with the unread notices on it (公告 is a tile of the workbench). */
function NoticeTabIcon({ children }: { children: ReactNode }) {
  const n = useNoticeBadge();
  return (
    <Badge count={n} overflowCount={99} size="small" offset={[4, 0]} data-testid="tab-notices-badge">
      <span className="bw-tab-icon">{children}</span>
    </Badge>
  );
}

/** The desktop menu's 公告 with the unread notices. */
function NoticesNavLabel() {
  const t = useT();
  const n = useNoticeBadge();
  return (
    <span data-testid="nav-notices">
      {t("nav.notices")}
      {n > 0 && <Badge count={n} overflowCount={99} size="small" offset={[6, -2]} data-testid="nav-notices-badge" />}
    </span>
  );
}

export function AppLayout() {
  const t = useT();
  const phone = useIsPhone();
  const location = useLocation();
  const navigate = useNavigate();
  const [selected, select] = useSelectedUnit();

  const items = [
    { key: "/chat", icon: <MessageOutlined />, label: <ChatNavLabel /> },
    { key: "/workbench", icon: <AppstoreOutlined />, label: <span data-testid="nav-workbench">{t("nav.workbench")}</span> },
    { key: "/notices", icon: <FileTextOutlined />, label: <NoticesNavLabel /> },
    { key: "/directory", icon: <ContactsOutlined />, label: t("nav.directory") },
  ];
  const path = location.pathname;
  const tab = TABS.find((k) => path === k || path.startsWith(`${k}/`));
  const current = items.find((i) => path.startsWith(i.key))?.key;
  const go = (key: string) => {
    const keepUnit = key === "/directory" && selected != null;
    navigate(keepUnit ? `${key}?unit=${selected}` : key);
  };
  const showTree = !phone && (path === "/directory" || path === "/units");
  // On a phone: the tabs on the four top-level pages; a page below them has a back arrow
  // instead, and an open conversation has the whole screen (it draws its own header).
  const inConversation = phone && /^\/chat\/[^/]+/.test(path);
  const topLevel = tab != null && !inConversation;
  const back = () => {
    if (location.key !== "default") navigate(-1);
    else navigate(parentOf(path));
  };
  const shell = phone ? (inConversation ? "bw-shell-bare" : topLevel ? "bw-shell-tabs" : "bw-shell-sub") : "bw-shell-desk";

  return (
    <Layout className={`bw-shell ${shell}`} style={{ minHeight: "100vh" }}>
      {!inConversation && (
        <Layout.Header className="bw-header">
          {phone && !topLevel && (
            <Button type="text" icon={<ArrowLeftOutlined />} aria-label={t("common.back")} data-testid="nav-back" onClick={back} />
          )}
          <span className="bw-logo" onClick={() => navigate("/chat")}>
            {t("app.name")}
          </span>
          {phone ? (
            <div style={{ flex: 1 }} />
          ) : (
            <Menu mode="horizontal" selectedKeys={current ? [current] : []} items={items} onClick={(e) => go(e.key)} />
          )}
          <LanguageSwitch compact={phone} />
          {!phone && <UserMenu phone={phone} />}
        </Layout.Header>
      )}
      {/* Chat says so in its own list and conversation. */}
      {!path.startsWith("/chat") && <ConnectionLine />}
      <Layout>
        {showTree && (
          <Layout.Sider width={272} className="bw-sider" theme="light">
            <UnitTree selectedId={selected} onSelect={select} />
          </Layout.Sider>
        )}
        <Layout.Content className="bw-content">
          <ChatRealtime />
          <DingRealtime />
          <NoticeRealtime />
          <MeetingRealtime />
          <CallHost />
          <Outlet />
        </Layout.Content>
      </Layout>
      {phone && topLevel && <TabBar current={tab} />}
    </Layout>
  );
}
