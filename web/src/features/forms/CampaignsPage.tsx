/** 收集 (/forms/campaigns?unit=ID): the collections a unit runs, newest first; one opens its figures. */
import { Button, Card, Empty, List, Space, Tag, Typography } from "antd";
import { PlusOutlined } from "@ant-design/icons";
import { useNavigate } from "react-router-dom";
import dayjs from "dayjs";
import { errorText } from "../../app/errors";
import { useI18n, useT, type Locale, type TFunction } from "../../i18n";
import type { MessageKey } from "../../i18n/locales/zh-CN";
import { useCampaigns, type CampaignOut } from "./api";
import { HandDownTags } from "./HandDown";
import { useUnitParam } from "./TemplatesPage";
import { UnitChooser } from "./UnitChooser";
import "./forms.css";

export function scheduleText(c: CampaignOut, t: TFunction, locale: Locale): string {
  const s = c.schedule as { kind: string; weekdays?: number[]; opens: string; deadline: string; start: string; end?: string | null };
  if (s.kind === "once") return t("forms.cmp.scheduleOnce", { day: s.start, opens: s.opens, deadline: s.deadline });
  if ((s.weekdays ?? []).length === 7) return t("forms.cmp.scheduleEveryDay", { opens: s.opens, deadline: s.deadline });
  const days = (s.weekdays ?? []).map((d) => t(`forms.cmp.weekday.${d}` as MessageKey)).join(locale === "en" ? ", " : "、");
  return t("forms.cmp.scheduleDaily", { days, opens: s.opens, deadline: s.deadline });
}

export default function CampaignsPage() {
  const t = useT();
  const { locale } = useI18n();
  const navigate = useNavigate();
  const [unit, setUnit] = useUnitParam();
  const list = useCampaigns(unit);
  if (unit == null)
    return (
      <Card title={t("forms.cmp.title")} className="bw-forms-page">
        <Typography.Paragraph type="secondary">{t("forms.pickUnitHint")}</Typography.Paragraph>
        <UnitChooser value={null} onChange={setUnit} />
      </Card>
    );
  return (
    <Card
      title={t("forms.cmp.title")}
      className="bw-forms-page"
      data-testid="forms-campaigns"
      extra={
        <Space>
          <Button onClick={() => navigate(`/forms/templates?unit=${unit}`)}>{t("forms.templates")}</Button>
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate(`/forms/campaigns/new?unit=${unit}`)} data-testid="forms-campaign-new">
            {t("forms.cmp.new")}
          </Button>
        </Space>
      }
    >
      <List
        loading={list.isPending}
        dataSource={list.data ?? []}
        locale={{ emptyText: <Empty description={list.isError ? errorText(list.error, t) : t("forms.cmp.none")} /> }}
        renderItem={(c) => (
          <List.Item className="bw-forms-todo-row" data-testid="forms-campaign-row" onClick={() => navigate(`/forms/campaigns/${c.id}`)}>
            <div className="bw-forms-todo-main">
              <Typography.Text strong>{c.name}</Typography.Text>
              <Space size={4} wrap>
                {c.closed_at ? <Tag>{t("forms.cmp.closed")}</Tag> : <Tag color="green">{t("forms.cmp.running")}</Tag>}
                <Tag>{c.template_name}</Tag>
                <HandDownTags c={c} />
                <Typography.Text type="secondary">{scheduleText(c, t, locale)}</Typography.Text>
                <Typography.Text type="secondary">{t("forms.cmp.targets", { n: c.target_count })}</Typography.Text>
                <Typography.Text type="secondary">{dayjs(c.created_at).format("YYYY-MM-DD")}</Typography.Text>
              </Space>
            </div>
          </List.Item>
        )}
      />
    </Card>
  );
}
