import { App, Button, Card, List, Segmented, Space, Typography } from "antd";
import { BellOutlined, LockOutlined, LogoutOutlined, PoweroffOutlined, RightOutlined } from "@ant-design/icons";
import { useNavigate } from "react-router-dom";
import { useLogout, useMe } from "../../api/hooks";
import { LOCALES, useI18n } from "../../i18n";
import { RoleTag } from "../people/labels";
import { PersonAvatar, PhotoEditor } from "../people/PersonPhoto";

/** 我的: who I am, my photo (头像), my units, the language, my account (password, signing out). */
export default function MePage() {
  const { t, locale, setLocale } = useI18n();
  const { modal } = App.useApp();
  const me = useMe().data;
  const navigate = useNavigate();
  const logout = useLogout(false);
  const logoutAll = useLogout(true);
  const done = { onSettled: () => navigate("/login", { replace: true }) };
  if (!me) return null;
  const login = me.username ?? me.phone ?? me.email;
  return (
    <div className="bw-me" data-testid="me-page">
      <Card>
        <Space size={16} align="center">
          <PersonAvatar name={me.name} photoUrl={me.photo_url} size={56} testId="me-avatar" />
          <div style={{ minWidth: 0 }}>
            <Typography.Title level={4} style={{ margin: 0 }} data-testid="me-name">
              <bdi>{me.name}</bdi>
            </Typography.Title>
            <Typography.Text type="secondary">
              {t("me.loginAs")}: <bdi>{login}</bdi>
              {me.is_admin && ` · ${t("user.admin")}`}
            </Typography.Text>
          </div>
        </Space>
      </Card>
      <Card size="small" title={t("me.photo")}>
        <PhotoEditor personId={me.id} name={me.name} photoUrl={me.photo_url} size={72} />
      </Card>
      <Card size="small" title={t("me.units")}>
        {me.memberships.length === 0 ? (
          <Typography.Text type="secondary">{t("me.noUnits")}</Typography.Text>
        ) : (
          <Space size={[4, 8]} wrap data-testid="me-units">
            {me.memberships.map((m) => (
              <a key={m.id} onClick={() => navigate(`/directory?unit=${m.unit.id}`)} title={m.unit.path_names.join(" / ")}>
                {/* A bare "1班" is ambiguous: with the units above it (一年级 1班). */}
                <RoleTag role={m.role} unit={m.unit.path_names.slice(-2).join(" ") || m.unit.name} />
              </a>
            ))}
          </Space>
        )}
      </Card>
      <Card size="small" title={t("me.language")}>
        <Segmented
          data-testid="me-language"
          value={locale}
          onChange={(v) => setLocale(v as typeof locale)}
          options={LOCALES.map((l) => ({ value: l.value, label: <span lang={l.value}>{l.label}</span> }))}
        />
      </Card>
      <Card size="small" title={t("me.account")} styles={{ body: { padding: 0 } }}>
        <List>
          <List.Item className="bw-me-row" onClick={() => navigate("/settings/notifications")} data-testid="me-notifications">
            <Space>
              <BellOutlined />
              {t("me.notifications")}
            </Space>
            <RightOutlined style={{ color: "#bbb" }} />
          </List.Item>
          <List.Item className="bw-me-row" onClick={() => navigate("/password")} data-testid="me-password">
            <Space>
              <LockOutlined />
              {t("user.changePassword")}
            </Space>
            <RightOutlined style={{ color: "#bbb" }} />
          </List.Item>
        </List>
      </Card>
      <Button block size="large" icon={<LogoutOutlined />} onClick={() => logout.mutate(undefined, done)} data-testid="me-logout">
        {t("user.logout")}
      </Button>
      <Button
        block
        danger
        type="text"
        icon={<PoweroffOutlined />}
        onClick={() =>
          modal.confirm({
            title: t("user.logoutAll"),
            content: t("user.logoutAllConfirm"),
            okText: t("common.confirm"),
            cancelText: t("common.cancel"),
            onOk: () => logoutAll.mutateAsync(undefined, done),
          })
        }
      >
        {t("user.logoutAll")}
      </Button>
    </div>
  );
}
