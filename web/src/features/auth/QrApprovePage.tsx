import { App, Button, Card, Descriptions, Result, Space, Spin, Typography } from "antd";
import { DesktopOutlined } from "@ant-design/icons";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useNavigate, useParams } from "react-router-dom";
import dayjs from "dayjs";
import { api, call } from "../../api/http";
import { useMe } from "../../api/hooks";
import { useT } from "../../i18n";
import { errorText } from "../../app/errors";

/** A short name of the browser that asked: "Chrome on Windows", from its user agent. */
export function browserName(ua: string | null): string {
  if (!ua) return "—";
  const browser = /Edg\//.test(ua) ? "Edge" : /Firefox\//.test(ua) ? "Firefox" : /Chrom(e|ium)\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : null;
  const os = /Windows/.test(ua) ? "Windows" : /Mac OS X/.test(ua) ? "macOS" : /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS" : /Linux/.test(ua) ? "Linux" : null;
  if (!browser && !os) return ua.slice(0, 60);
  return [browser, os].filter(Boolean).join(" · ");
}

/** /qr/:code, opened by scanning a computer's login QR code on a signed-in phone. */
export default function QrApprovePage() {
  const t = useT();
  const { message } = App.useApp();
  const { code = "" } = useParams();
  const navigate = useNavigate();
  const me = useMe().data;
  const req = useQuery({
    queryKey: ["qr", code],
    queryFn: () => call(api.GET("/api/v1/auth/qr/{code}", { params: { path: { code } } })),
    retry: false,
  });
  const decide = useMutation({
    mutationFn: (approve: boolean) =>
      call(
        approve
          ? api.POST("/api/v1/auth/qr/{code}/approve", { params: { path: { code } } })
          : api.POST("/api/v1/auth/qr/{code}/refuse", { params: { path: { code } } }),
      ),
    meta: { silent: true },
    onError: (e) => void message.error(errorText(e, t)),
  });
  const done = decide.data?.state;
  let body;
  if (req.isPending) body = <Spin style={{ display: "block", margin: 48 }} />;
  else if (req.isError) body = <Result status="warning" title={errorText(req.error, t)} />;
  else if (done === "approved") body = <Result status="success" title={t("qr.approved")} data-testid="qr-approved" />;
  else if (done === "refused") body = <Result status="info" title={t("qr.refused")} data-testid="qr-refused" />;
  else if (req.data.state !== "waiting" && req.data.state !== "scanned") body = <Result status="warning" title={t("qr.ended")} data-testid="qr-ended" />;
  else
    body = (
      <Space orientation="vertical" size={16} style={{ width: "100%" }}>
        <div style={{ textAlign: "center" }}>
          <DesktopOutlined style={{ fontSize: 48, color: "#1677ff" }} />
          <Typography.Title level={4} style={{ marginTop: 8 }}>
            {t("qr.question", { name: me?.name ?? "" })}
          </Typography.Title>
        </div>
        <Descriptions column={1} size="small" bordered>
          <Descriptions.Item label={t("qr.device")}>
            <span data-testid="qr-device">{browserName(req.data.user_agent)}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t("qr.address")}>{req.data.address ?? "—"}</Descriptions.Item>
          <Descriptions.Item label={t("qr.requested")}>{dayjs(req.data.created_at).format("HH:mm:ss")}</Descriptions.Item>
        </Descriptions>
        <Typography.Text type="warning">{t("qr.warning")}</Typography.Text>
        <Button type="primary" size="large" block loading={decide.isPending && decide.variables} onClick={() => decide.mutate(true)} data-testid="qr-approve">
          {t("qr.approve")}
        </Button>
        <Button size="large" block onClick={() => decide.mutate(false)} data-testid="qr-refuse">
          {t("qr.refuse")}
        </Button>
      </Space>
    );
  return (
    <div style={{ maxWidth: 420, margin: "0 auto" }} data-testid="qr-approve-page">
      <Card title={t("qr.title")} extra={<a onClick={() => navigate("/chat")}>{t("common.close")}</a>}>
        {body}
      </Card>
    </div>
  );
}
