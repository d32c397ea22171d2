/**
 * A form's card in a unit's group chat (message kind "form", docs/forms.md "The card in the
 * class group"): "每日健康打卡 — 截止 09:00". Tapping it asks the server what it opens for the
 * reader (`GET /forms/campaigns/{id}/entry?unit_id=`): the fill page for their one child (or
 * themself), a picker when they have several children there, the class's figures for a teacher.
 */
import { useState } from "react";
import { App, List, Modal, Tag, Typography } from "antd";
import { BarChartOutlined, CheckCircleFilled, FormOutlined, RightOutlined } from "@ant-design/icons";
import { useNavigate } from "react-router-dom";
import { useQueryClient } from "@tanstack/react-query";
import { api, ApiError, call } from "../../api/http";
import type { components } from "../../api/schema";
import { errorText } from "../../app/errors";
import { useT } from "../../i18n";
import type { EntryOut } from "./api";
import "./forms.css";

type Message = components["schemas"]["MessageOut"];

/** Where a tap goes at once, or null when the reader chooses (several children, or also the figures). */
export function directTarget(e: EntryOut): string | null {
  if (e.subjects.length === 1 && !e.stats) return `/forms/fill/${e.campaign_id}/${e.subjects[0].id}`;
  if (e.subjects.length === 0 && e.stats) return statsPath(e);
  return null;
}

function statsPath(e: EntryOut): string {
  return `/forms/campaigns/${e.campaign_id}?unit=${e.unit_id}`;
}

export function FormCard({ m }: { m: Message }) {
  const t = useT();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [picking, setPicking] = useState<EntryOut | null>(null);
  const [busy, setBusy] = useState(false);
  const card = m.form;

  const open = async () => {
    if (!card || busy) return;
    setBusy(true);
    try {
      const entry = await qc.fetchQuery({
        queryKey: ["forms", "entry", card.campaign_id, card.unit_id],
        queryFn: () =>
          call(
            api.GET("/api/v1/forms/campaigns/{campaign_id}/entry", {
              params: { path: { campaign_id: card.campaign_id }, query: { unit_id: card.unit_id } },
            }),
          ),
        staleTime: 0,
      });
      const go = directTarget(entry);
      if (go) navigate(go);
      else setPicking(entry);
    } catch (err) {
      void message.info(err instanceof ApiError && err.status === 404 ? t("forms.card.notYours") : errorText(err, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="bw-chat-form-card" data-testid="chat-form">
      <div className="bw-chat-form-card-head">
        <FormOutlined /> {t("forms.card.title")}
      </div>
      <bdi>{m.body}</bdi>
      {card && (
        <div>
          <Typography.Text type="secondary">{t("forms.card.deadline", { time: card.deadline })}</Typography.Text>
        </div>
      )}
      {card && (
        <a className="bw-announce-card-open" onClick={() => void open()} data-testid="chat-form-open">
          {t("forms.card.open")}
        </a>
      )}
      <Modal open={picking != null} title={m.body} footer={null} onCancel={() => setPicking(null)} destroyOnHidden>
        {picking && (
          <List
            dataSource={[
              ...picking.subjects.map((s) => ({ key: `s${s.id}`, to: `/forms/fill/${picking.campaign_id}/${s.id}`, label: s.name, done: s.submitted, stats: false })),
              ...(picking.stats ? [{ key: "stats", to: statsPath(picking), label: t("forms.card.stats"), done: false, stats: true }] : []),
            ]}
            renderItem={(row) => (
              <List.Item className="bw-forms-todo-row" data-testid="chat-form-pick" onClick={() => navigate(row.to)}>
                <span>
                  {row.stats ? <BarChartOutlined /> : <FormOutlined />} {row.label}
                </span>
                <span>
                  {row.done && (
                    <Tag color="green" icon={<CheckCircleFilled />}>
                      {t("forms.card.submitted")}
                    </Tag>
                  )}
                  <RightOutlined />
                </span>
              </List.Item>
            )}
          />
        )}
      </Modal>
    </div>
  );
}
