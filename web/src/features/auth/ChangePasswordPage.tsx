import { Alert, App, Button, Card, Form, Input, Typography } from "antd";
import { useNavigate } from "react-router-dom";
import { useChangePassword, useLogout } from "../../api/hooks";
import { useT } from "../../i18n";
import { errorText, fieldErrors } from "../../app/errors";
import { LanguageSwitch } from "../layout/LanguageSwitch";

interface Values {
  current_password: string;
  new_password: string;
  repeat: string;
}

export function ChangePasswordPage({ forced = false }: { forced?: boolean }) {
  const t = useT();
  const { message } = App.useApp();
  const change = useChangePassword();
  const logout = useLogout(false);
  const navigate = useNavigate();
  const [form] = Form.useForm<Values>();

  const card = (
    <Card style={{ width: "100%", maxWidth: 420 }} data-testid="password-page">
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t("password.title")}
      </Typography.Title>
      {forced && <Alert type="warning" showIcon title={t("password.forcedHint")} style={{ marginBottom: 16 }} />}
      {change.isError && <Alert type="error" showIcon title={errorText(change.error, t)} style={{ marginBottom: 16 }} />}
      <Form<Values>
        form={form}
        layout="vertical"
        requiredMark={false}
        onFinish={({ current_password, new_password }) =>
          change.mutate(
            { current_password, new_password },
            {
              onSuccess: () => {
                void message.success(t("password.changed"));
                form.resetFields();
                if (!forced) navigate("/me");
              },
              onError: (e) => form.setFields(fieldErrors(e) as never),
            },
          )
        }
      >
        <Form.Item name="current_password" label={t("password.current")} rules={[{ required: true, message: t("common.required") }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item name="new_password" label={t("password.new")} rules={[{ required: true, message: t("common.required") }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="repeat"
          label={t("password.repeat")}
          dependencies={["new_password"]}
          rules={[
            { required: true, message: t("common.required") },
            ({ getFieldValue }) => ({
              validator: (_, v) =>
                !v || v === getFieldValue("new_password") ? Promise.resolve() : Promise.reject(new Error(t("password.mismatch"))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={change.isPending}>
          {t("password.submit")}
        </Button>
        {forced && (
          <Button type="link" block style={{ marginTop: 8 }} onClick={() => logout.mutate(undefined, { onSettled: () => navigate("/login") })}>
            {t("user.logout")}
          </Button>
        )}
      </Form>
    </Card>
  );
  if (!forced) return <div style={{ display: "flex", justifyContent: "center", paddingTop: 24 }}>{card}</div>;
  return (
    <div className="bw-center">
      <div style={{ position: "fixed", top: 8, right: 8 }}>
        <LanguageSwitch />
      </div>
      {card}
    </div>
  );
}
