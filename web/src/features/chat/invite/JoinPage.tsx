import { Avatar, Button, Card, Result, Space, Spin, Typography } from "antd";
import { TeamOutlined } from "@ant-design/icons";
import { useNavigate, useParams } from "react-router-dom";
import { useT } from "../../../i18n";
import { errorText } from "../../../app/errors";
import { displayName } from "../../people/parents";
import { useInvitePreview, useJoin } from "./api";

/** /join/:code, opened by scanning a group's QR code (or its link): the group, then join. */
export default function JoinPage() {
  const t = useT();
  const { code = "" } = useParams();
  const navigate = useNavigate();
  const preview = useInvitePreview(code);
  const join = useJoin(code);
  const open = (id: number) => navigate(`/chat/${id}`);
  let body;
  if (preview.isPending) body = <Spin style={{ display: "block", margin: 48 }} />;
  else if (preview.isError) body = <Result status="warning" title={errorText(preview.error, t)} data-testid="join-invalid" />;
  else {
    const g = preview.data;
    const status = join.data?.status;
    body = (
      <Space direction="vertical" size={16} style={{ width: "100%", textAlign: "center" }}>
        <Avatar size={64} icon={<TeamOutlined />} style={{ background: "#13a8a8" }} src={g.avatar_file_id ? `/api/v1/files/${g.avatar_file_id}` : undefined} />
        <Typography.Title level={4} style={{ margin: 0 }} data-testid="join-name">
          <bdi>{g.name}</bdi>
        </Typography.Title>
        <Typography.Text type="secondary">{t("chat.membersCount", { n: g.member_count })}</Typography.Text>
        {g.invited_by && <Typography.Text type="secondary">{t("invite.sharedBy", { name: displayName(g.invited_by, t) })}</Typography.Text>}
        {join.isError && <Typography.Text type="danger" data-testid="join-error">{errorText(join.error, t)}</Typography.Text>}
        {g.member || status === "joined" || status === "member" ? (
          <>
            {status === "joined" && <Typography.Text type="success" data-testid="join-done">{t("invite.joined")}</Typography.Text>}
            <Button type="primary" size="large" block onClick={() => open(g.conversation_id)} data-testid="join-open">
              {t("invite.open")}
            </Button>
          </>
        ) : g.requested || status === "requested" ? (
          <Result status="info" title={t("invite.waiting")} subTitle={t("invite.waitingHint")} data-testid="join-waiting" />
        ) : (
          <Button type="primary" size="large" block loading={join.isPending} onClick={() => join.mutate()} data-testid="join-submit">
            {g.join_mode === "open" ? t("invite.join") : t("invite.ask")}
          </Button>
        )}
      </Space>
    );
  }
  return (
    <div style={{ maxWidth: 420, margin: "0 auto" }} data-testid="join-page">
      <Card title={t("invite.joinTitle")} extra={<a onClick={() => navigate("/chat")}>{t("common.close")}</a>}>
        {body}
      </Card>
    </div>
  );
}
