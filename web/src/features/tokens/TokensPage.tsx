import { useState } from "react";
import { Alert, App, Button, Card, Form, Input, Modal, Popconfirm, Table, Typography } from "antd";
import { PlusOutlined } from "@ant-design/icons";
import dayjs from "dayjs";
import { useTokenMutations, useTokens } from "../../api/hooks";
import type { TokenOut } from "../../api/types";
import { useT } from "../../i18n";
import { useTn } from "../../i18n/isolate";
import { errorText } from "../../app/errors";

const fmt = (s: string | null) => (s ? dayjs(s).format("YYYY-MM-DD HH:mm") : null);

export default function TokensPage() {
  const t = useT();
  const tn = useTn();
  const { modal } = App.useApp();
  const tokens = useTokens();
  const { create, revoke } = useTokenMutations();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<{ name: string }>();

  const submit = ({ name }: { name: string }) =>
    create.mutate(name, {
      onSuccess: (tok) => {
        setOpen(false);
        form.resetFields();
        modal.success({
          title: t("tokens.secretTitle"),
          width: 560,
          okText: t("common.close"),
          content: (
            <div data-testid="token-secret">
              <p>{t("tokens.secretHint")}</p>
              <Typography.Paragraph code copyable={{ text: tok.token, tooltips: [t("common.copy"), t("common.copied")] }} style={{ wordBreak: "break-all" }}>
                {tok.token}
              </Typography.Paragraph>
            </div>
          ),
        });
      },
    });

  return (
    <Card
      title={t("tokens.title")}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)} data-testid="token-create">
          {t("tokens.create")}
        </Button>
      }
    >
      <Typography.Paragraph type="secondary">{t("tokens.intro")}</Typography.Paragraph>
      <Table<TokenOut>
        rowKey="id"
        size="middle"
        loading={tokens.isPending}
        dataSource={tokens.data ?? []}
        pagination={false}
        locale={{ emptyText: t("common.empty") }}
        columns={[
          { title: t("tokens.name"), dataIndex: "name", ellipsis: { showTitle: true } },
          { title: t("tokens.prefix"), dataIndex: "prefix", responsive: ["sm"], render: (v: string) => <Typography.Text code>{v}…</Typography.Text> },
          { title: t("tokens.created"), dataIndex: "created_at", responsive: ["md"], render: fmt },
          { title: t("tokens.lastUsed"), dataIndex: "last_used_at", responsive: ["sm"], render: (v: string | null) => fmt(v) ?? t("tokens.never") },
          {
            key: "actions",
            render: (_: unknown, tok) => (
              <Popconfirm
                title={tn("tokens.revokeConfirm", { name: tok.name })}
                okText={t("common.confirm")}
                cancelText={t("common.cancel")}
                onConfirm={() => revoke.mutateAsync(tok.id)}
              >
                <Button danger size="small">
                  {t("tokens.revoke")}
                </Button>
              </Popconfirm>
            ),
          },
        ]}
      />
      <Modal
        open={open}
        title={t("tokens.create")}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        okText={t("common.create")}
        cancelText={t("common.cancel")}
        confirmLoading={create.isPending}
      >
        {create.isError && <Alert type="error" showIcon title={errorText(create.error, t)} style={{ marginBottom: 12 }} />}
        <Form form={form} layout="vertical" onFinish={submit}>
          <Form.Item name="name" label={t("tokens.name")} rules={[{ required: true, message: t("common.required") }]}>
            <Input placeholder={t("tokens.namePlaceholder")} maxLength={100} />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
