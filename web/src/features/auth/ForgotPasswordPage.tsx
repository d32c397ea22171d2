import { useState } from "react";
import { Alert, Button, Card, Form, Input, Result, Space, Typography } from "antd";
import { LockOutlined, SafetyOutlined, UserOutlined } from "@ant-design/icons";
import { useMutation } from "@tanstack/react-query";
import { useNavigate } from "react-router-dom";
import { api, call } from "../../api/http";
import { useT } from "../../i18n";
import { errorText } from "../../app/errors";
import { LanguageSwitch } from "../layout/LanguageSwitch";

/**
 * 找回密码 (/forgot): the account (username, phone or email) gets a code by text message or email;
 * with it, a new password. The server answers alike whether or not the account exists.
 */
export default function ForgotPasswordPage() {
  const t = useT();
  const navigate = useNavigate();
  const [login, setLogin] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const ask = useMutation({
    mutationFn: (v: { login: string }) => call(api.POST("/api/v1/auth/password-reset", { body: { login: v.login } })),
    meta: { silent: true },
  });
  const confirm = useMutation({
    mutationFn: (v: { code: string; new_password: string }) =>
      call(api.POST("/api/v1/auth/password-reset/confirm", { body: { login: login!, code: v.code, new_password: v.new_password } })),
    meta: { silent: true },
    onSuccess: () => setDone(true),
  });

  let body;
  if (done) {
    body = (
      <Result
        status="success"
        title={t("forgot.done")}
        data-testid="forgot-done"
        extra={
          <Button type="primary" onClick={() => navigate("/login", { replace: true })} data-testid="forgot-to-login">
            {t("forgot.toLogin")}
          </Button>
        }
      />
    );
  } else if (login == null) {
    body = (
      <Form
        layout="vertical"
        requiredMark={false}
        data-testid="forgot-ask"
        onFinish={(v: { login: string }) => ask.mutate(v, { onSuccess: () => setLogin(v.login) })}
      >
        <Typography.Paragraph type="secondary">{t("forgot.askHint")}</Typography.Paragraph>
        {ask.isError && <Alert type="error" showIcon title={errorText(ask.error, t)} style={{ marginBottom: 16 }} data-testid="forgot-error" />}
        <Form.Item name="login" label={t("login.login")} rules={[{ required: true, whitespace: true, message: t("common.required") }]}>
          <Input prefix={<UserOutlined />} placeholder={t("login.loginPlaceholder")} autoComplete="username" autoFocus size="large" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block size="large" loading={ask.isPending} data-testid="forgot-send">
          {t("forgot.send")}
        </Button>
      </Form>
    );
  } else {
    body = (
      <Form
        layout="vertical"
        requiredMark={false}
        data-testid="forgot-confirm"
        onFinish={(v: { code: string; new_password: string }) => confirm.mutate(v)}
      >
        <Alert type="info" showIcon title={t("forgot.sent")} style={{ marginBottom: 16 }} data-testid="forgot-sent" />
        {confirm.isError && <Alert type="error" showIcon title={errorText(confirm.error, t)} style={{ marginBottom: 16 }} data-testid="forgot-error" />}
        <Form.Item name="code" label={t("forgot.code")} rules={[{ required: true, pattern: /^\s*\d{6}\s*$/, message: t("forgot.codeFormat") }]}>
          <Input prefix={<SafetyOutlined />} inputMode="numeric" autoComplete="one-time-code" maxLength={8} size="large" data-testid="forgot-code" />
        </Form.Item>
        <Form.Item name="new_password" label={t("password.new")} rules={[{ required: true, message: t("common.required") }]}>
          <Input.Password prefix={<LockOutlined />} autoComplete="new-password" size="large" data-testid="forgot-new" />
        </Form.Item>
        <Form.Item
          name="repeat"
          label={t("password.repeat")}
          dependencies={["new_password"]}
          rules={[
            { required: true, message: t("common.required") },
            ({ getFieldValue }) => ({
              validator: (_, v) => (v === getFieldValue("new_password") ? Promise.resolve() : Promise.reject(new Error(t("password.mismatch")))),
            }),
          ]}
        >
          <Input.Password prefix={<LockOutlined />} autoComplete="new-password" size="large" data-testid="forgot-repeat" />
        </Form.Item>
        <Space orientation="vertical" style={{ width: "100%" }}>
          <Button type="primary" htmlType="submit" block size="large" loading={confirm.isPending} data-testid="forgot-submit">
            {t("forgot.submit")}
          </Button>
          <Button block type="link" loading={ask.isPending} onClick={() => ask.mutate({ login })} data-testid="forgot-resend">
            {t("forgot.resend")}
          </Button>
        </Space>
      </Form>
    );
  }
  return (
    <div className="bw-center" style={{ flexDirection: "column", gap: 16 }}>
      <div style={{ width: "100%", maxWidth: 380, display: "flex", justifyContent: "flex-end", marginBottom: -8 }}>
        <LanguageSwitch />
      </div>
      <Card style={{ width: "100%", maxWidth: 380 }} title={t("forgot.title")} extra={<a onClick={() => navigate("/login")}>{t("forgot.back")}</a>} data-testid="forgot-page">
        {body}
      </Card>
    </div>
  );
}
