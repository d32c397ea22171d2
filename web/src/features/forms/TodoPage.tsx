/**
 * 今日填报 (/forms): what is asked of the person today — for themself and, for a guardian, one
 * row per child ("王小明 · 每日健康打卡") — with its state (open until the deadline, late, not
 * open yet) and whether it is submitted; a row opens the fill page; fetched again on a
 * `form.reminder`. Below, for teachers and heads, the units they run forms for (templates,
 * collections and their figures).
 */
import { Button, Card, Empty, List, Result, Space, Tag, Typography } from "antd";
import { AlertOutlined, CheckCircleFilled, FileTextOutlined, FormOutlined, RightOutlined } from "@ant-design/icons";
import { useNavigate } from "react-router-dom";
import dayjs from "dayjs";
import { useT, type TFunction } from "../../i18n";
import { errorText } from "../../app/errors";
import { useQueryClient } from "@tanstack/react-query";
import { useEvent } from "../../realtime";
import { formKeys, useTodo, type TodoItem } from "./api";
import { useDesignUnits } from "./units";
import { UnitChooser } from "./UnitChooser";
import "./forms.css";

export function todoState(item: TodoItem, t: TFunction) {
  if (item.state === "upcoming") return <Tag>{t("forms.state.upcoming", { at: dayjs(item.opens_at).format("HH:mm") })}</Tag>;
  if (item.state === "late") return <Tag color="orange">{t("forms.state.late")}</Tag>;
  if (item.state === "open") return <Tag color="blue">{t("forms.state.open", { at: dayjs(item.deadline_at).format("HH:mm") })}</Tag>;
  return <Tag>{t("forms.state.closed")}</Tag>;
}

function Manage() {
  const t = useT();
  const navigate = useNavigate();
  const { units, canPickAny } = useDesignUnits();
  if (units.length === 0 && !canPickAny) return null;
  return (
    <Card title={t("forms.manage")} size="small" data-testid="forms-manage">
      <Typography.Paragraph type="secondary">{t("forms.manageHint")}</Typography.Paragraph>
      <List
        size="small"
        dataSource={units}
        renderItem={(u) => (
          <List.Item
            data-testid="forms-manage-unit"
            actions={[
              <Button key="x" size="small" icon={<AlertOutlined />} onClick={() => navigate(`/forms/cases?unit=${u.id}`)} data-testid="forms-manage-cases">
                {t("forms.cases.title")}
              </Button>,
              <Button key="t" size="small" icon={<FileTextOutlined />} onClick={() => navigate(`/forms/templates?unit=${u.id}`)} data-testid="forms-manage-templates">
                {t("forms.templates")}
              </Button>,
              <Button key="c" size="small" type="primary" icon={<FormOutlined />} onClick={() => navigate(`/forms/campaigns?unit=${u.id}`)} data-testid="forms-manage-campaigns">
                {t("forms.campaigns")}
              </Button>,
            ]}
          >
            <Typography.Text ellipsis>{u.path}</Typography.Text>
          </List.Item>
        )}
      />
      {canPickAny && (
        <div style={{ marginTop: 8 }}>
          <UnitChooser value={null} onChange={(id) => id != null && navigate(`/forms/campaigns?unit=${id}`)} />
        </div>
      )}
    </Card>
  );
}

export default function TodoPage() {
  const t = useT();
  const navigate = useNavigate();
  const q = useTodo();
  const qc = useQueryClient();
  // A reminder says a form is still missing: the list shows it as it is now.
  useEvent("form.reminder", () => void qc.invalidateQueries({ queryKey: formKeys.todo }));
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }} className="bw-forms-page">
      <Card title={t("forms.title")} data-testid="forms-todo">
        {q.isError ? (
          <Result status="warning" title={errorText(q.error, t)} extra={<Button onClick={() => void q.refetch()}>{t("common.retry")}</Button>} />
        ) : (
          <List
            loading={q.isPending}
            dataSource={q.data ?? []}
            locale={{ emptyText: <Empty description={t("forms.none")} /> }}
            renderItem={(item) => (
              <List.Item
                className="bw-forms-todo-row"
                data-testid="forms-todo-row"
                data-submitted={item.submitted ? "yes" : "no"}
                onClick={() => navigate(`/forms/fill/${item.campaign_id}/${item.subject_id}`)}
              >
                <div className="bw-forms-todo-main">
                  <Typography.Text strong className="bw-forms-todo-title">
                    {item.subject_name} · {item.name}
                  </Typography.Text>
                  <Space size={4} wrap>
                    {todoState(item, t)}
                    {item.submitted ? (
                      <Typography.Text type="success" data-testid="forms-todo-done">
                        <CheckCircleFilled /> {t("forms.submitted")}
                      </Typography.Text>
                    ) : (
                      <Typography.Text type="danger">{t("forms.notSubmitted")}</Typography.Text>
                    )}
                  </Space>
                </div>
                <RightOutlined className="bw-forms-todo-arrow" />
              </List.Item>
            )}
          />
        )}
      </Card>
      <Manage />
    </Space>
  );
}
