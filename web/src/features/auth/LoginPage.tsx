import { useState } from "react";
import { Alert, Button, Card, Form, Input, Space, Tabs, Typography } from "antd";
import { LockOutlined, UserOutlined } from "@ant-design/icons";
import { Navigate, useNavigate, useSearchParams } from "react-router-dom";
import { useLogin, useMe } from "../../api/hooks";
import { useT } from "../../i18n";
import { errorText } from "../../app/errors";
import { LanguageSwitch } from "../layout/LanguageSwitch";
import { useIsPhone } from "../layout/AppLayout";
import { QrLogin } from "./QrLogin";

function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/login") ? next : "/chat";
}

export function LoginPage() {
  const t = useT();
  const me = useMe();
  const login = useLogin();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const phone = useIsPhone();
  const [tab, setTab] = useState("password");

  if (me.data && !login.isPending) return <Navigate to={next} replace />;

  const passwordForm = (
    <>
      {login.isError && (
        <Alert data-testid="login-error" type="error" showIcon title={errorText(login.error, t)} style={{ marginBottom: 16 }} />
      )}
      <Form
        data-testid="login-form"
        layout="vertical"
        requiredMark={false}
        onFinish={(v: { login: string; password: string }) =>
          login.mutate(v, { onSuccess: () => navigate(next, { replace: true }) })
        }
      >
        <Form.Item name="login" label={t("login.login")} rules={[{ required: true, message: t("common.required") }]}>
          <Input prefix={<UserOutlined />} placeholder={t("login.loginPlaceholder")} autoComplete="username" autoFocus size="large" />
        </Form.Item>
        <Form.Item name="password" label={t("login.password")} rules={[{ required: true, message: t("common.required") }]}>
          <Input.Password prefix={<LockOutlined />} autoComplete="current-password" size="large" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block size="large" loading={login.isPending} data-testid="login-submit">
          {t("login.submit")}
        </Button>
        <div style={{ textAlign: "right", marginTop: 12 }}>
          <a onClick={() => navigate("/forgot")} data-testid="login-forgot">
            {t("forgot.link")}
          </a>
        </div>
      </Form>
    </>
  );

  return (
    <div className="bw-center" style={{ flexDirection: "column", gap: 16 }}>
      {/* In the flow above the card, so that a phone's narrow screen never hides it. */}
      <div style={{ width: "100%", maxWidth: 380, display: "flex", justifyContent: "flex-end", marginBottom: -8 }}>
        <LanguageSwitch />
      </div>
      <Card style={{ width: "100%", maxWidth: 380 }}>
        <Space orientation="vertical" size={4} style={{ width: "100%", marginBottom: 16, textAlign: "center" }}>
          <Typography.Title level={2} style={{ margin: 0, color: "#1677ff" }}>
            {t("app.name")}
          </Typography.Title>
          <Typography.Text type="secondary">{t("app.tagline")}</Typography.Text>
        </Space>
        <Tabs
          data-testid="login-tabs"
          activeKey={phone ? "password" : tab}
          onChange={setTab}
          items={[
            { key: "password", label: t("login.byPassword"), children: passwordForm },
            ...(phone ? [] : [{ key: "qr", label: t("login.byQr"), children: tab === "qr" ? <QrLogin onDone={() => navigate(next, { replace: true })} /> : null }]),
          ]}
        />
      </Card>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t("login.demoHint")}
      </Typography.Text>
    </div>
  );
}
