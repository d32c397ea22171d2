/**
 * A work report's card in a direct chat (message kind "report", docs/reports.md): the
 * template's name and the period; a tap opens the report (its readers only — anyone else is
 * told it is not theirs).
 */
import { Card, Typography } from "antd";
import { FileDoneOutlined } from "@ant-design/icons";
import { useNavigate } from "react-router-dom";
import type { components } from "../../api/schema";
import { useT } from "../../i18n";
import "./reports.css";

type Message = components["schemas"]["MessageOut"];

export function ReportCard({ m }: { m: Message }) {
  const t = useT();
  const navigate = useNavigate();
  const card = m.report;
  if (!card) return null;
  return (
    <Card size="small" className="bw-reports-card" onClick={() => navigate(`/reports/${card.report_id}`)} data-testid={`report-card-${card.report_id}`}>
      <Typography.Text strong>
        <FileDoneOutlined /> {m.body}
      </Typography.Text>
      <div>
        <Typography.Text type="secondary">
          {t(`reports.period.${card.period_kind as "daily" | "weekly" | "monthly"}`)} · {card.period}
        </Typography.Text>
      </div>
      <Typography.Link>{t("reports.card.open")}</Typography.Link>
    </Card>
  );
}
