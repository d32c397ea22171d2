/**
 * An approval request's card in a direct chat (message kind "approval", docs/approvals.md):
 * the request's title and what it is; a tap opens the request (its submitter, approvers and
 * copies only — anyone else is told it is not theirs).
 */
import { Card, Typography } from "antd";
import { AuditOutlined } from "@ant-design/icons";
import { useNavigate } from "react-router-dom";
import type { components } from "../../api/schema";
import { useT } from "../../i18n";
import "./approvals.css";

type Message = components["schemas"]["MessageOut"];

export function ApprovalCard({ m }: { m: Message }) {
  const t = useT();
  const navigate = useNavigate();
  const card = m.approval;
  if (!card) return null;
  return (
    <Card size="small" className="bw-approvals-card" onClick={() => navigate(`/approvals/${card.request_id}`)} data-testid={`approval-card-${card.request_id}`}>
      <Typography.Text strong>
        <AuditOutlined /> {m.body}
      </Typography.Text>
      <div>
        <Typography.Text type="secondary">{t("approvals.card.ask", { name: card.template_name })}</Typography.Text>
      </div>
      <Typography.Link>{t("approvals.card.open")}</Typography.Link>
    </Card>
  );
}
