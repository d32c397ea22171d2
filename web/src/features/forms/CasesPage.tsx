/**
 * 异常跟进 (/forms/cases?unit=ID&state=&campaign=): the abnormal check-ins below a unit, open
 * first, each with the person, their class, the form and day, why it is abnormal, its state
 * (open → contacted → resolved) and when; filtered by state and by collection. A row opens the
 * case (CaseDrawer.tsx) with its follow-up and "add a note / change the state". For those who
 * may see names at the unit (the server answers 403 `form_names_hidden` otherwise, shown here);
 * each look is audited by the server. Below, for the unit's heads, who this level alerts
 * (Responders.tsx).
 */
import { useEffect, useState } from "react";
import { Button, Card, Empty, List, Result, Segmented, Select, Space, Tag, Typography } from "antd";
import { useNavigate, useSearchParams } from "react-router-dom";
import dayjs from "dayjs";
import { errorText } from "../../app/errors";
import { useT } from "../../i18n";
import { CaseDrawer, CASE_STATES, caseStateTag } from "./CaseDrawer";
import { RespondersCard } from "./Responders";
import { useCases, type CaseOut, type CaseState } from "./reachApi";
import { useUnitParam } from "./TemplatesPage";
import { UnitChooser } from "./UnitChooser";
import { useDesignUnits } from "./units";
import "./forms.css";

export default function CasesPage() {
  const t = useT();
  const navigate = useNavigate();
  const [unit, setUnit] = useUnitParam();
  // From the workbench tile (no unit): the first unit one heads or teaches.
  const { units: mine } = useDesignUnits();
  const firstUnit = mine[0]?.id ?? null;
  useEffect(() => {
    if (unit == null && firstUnit != null) setUnit(firstUnit);
  }, [unit, firstUnit]); // eslint-disable-line react-hooks/exhaustive-deps
  const [params, setParams] = useSearchParams();
  const rawState = params.get("state");
  const state = CASE_STATES.includes(rawState as CaseState) ? (rawState as CaseState) : null;
  const rawCampaign = params.get("campaign");
  const campaign = rawCampaign && /^\d+$/.test(rawCampaign) ? Number(rawCampaign) : null;
  const list = useCases(unit, state, campaign);
  const [openId, setOpenId] = useState<number | null>(null);
  const [fresh, setFresh] = useState<CaseOut | null>(null);
  const shown = openId == null ? null : fresh?.id === openId ? fresh : (list.data ?? []).find((c) => c.id === openId) ?? null;

  const setParam = (name: string, value: string | null) => {
    const p = new URLSearchParams(params);
    if (value == null) p.delete(name);
    else p.set(name, value);
    setParams(p, { replace: true });
  };
  const campaigns = new Map<number, string>();
  for (const c of list.data ?? []) campaigns.set(c.campaign_id, c.campaign_name);

  if (unit == null)
    return (
      <Card title={t("forms.cases.title")} className="bw-forms-page">
        <Typography.Paragraph type="secondary">{t("forms.pickUnitHint")}</Typography.Paragraph>
        <UnitChooser value={null} onChange={setUnit} />
      </Card>
    );
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }} className="bw-forms-page">
      <Card title={t("forms.cases.title")} data-testid="forms-cases" extra={<Button onClick={() => navigate(`/forms/campaigns?unit=${unit}`)}>{t("forms.campaigns")}</Button>}>
        <Space orientation="vertical" style={{ width: "100%" }}>
          <UnitChooser value={unit} onChange={setUnit} />
          <div className="bw-design-row">
            <Segmented
              value={state ?? "all"}
              onChange={(v) => setParam("state", v === "all" ? null : String(v))}
              options={[{ value: "all", label: t("forms.cases.all") }, ...CASE_STATES.map((s) => ({ value: s, label: t(`forms.cases.state.${s}`) }))]}
              data-testid="cases-state"
            />
            <Select
              allowClear
              value={campaign ?? undefined}
              placeholder={t("forms.cases.allForms")}
              onChange={(v: number | undefined) => setParam("campaign", v == null ? null : String(v))}
              options={[...campaigns].map(([id, name]) => ({ value: id, label: name }))}
              style={{ minWidth: 180 }}
              data-testid="cases-campaign"
            />
          </div>
          {list.isError ? (
            <Result status="warning" title={errorText(list.error, t)} data-testid="cases-refused" />
          ) : (
            <List
              loading={list.isPending}
              dataSource={list.data ?? []}
              locale={{ emptyText: <Empty description={t("forms.cases.none")} /> }}
              renderItem={(c) => (
                <List.Item className="bw-forms-todo-row" data-testid="case-row" data-state={c.state} onClick={() => setOpenId(c.id)}>
                  <div className="bw-forms-todo-main">
                    <Space size={4} wrap>
                      <Typography.Text strong>{c.subject.name}</Typography.Text>
                      <Typography.Text type="secondary">{c.unit_name}</Typography.Text>
                      {caseStateTag(c.state, t)}
                    </Space>
                    <Space size={4} wrap>
                      {c.reasons.map((r) => (
                        <Tag key={r} color="red">
                          {r}
                        </Tag>
                      ))}
                    </Space>
                    <Typography.Text type="secondary">
                      {c.campaign_name} · {c.period} · {dayjs(c.created_at).format("HH:mm")}
                    </Typography.Text>
                  </div>
                </List.Item>
              )}
            />
          )}
        </Space>
      </Card>
      <RespondersCard unit={unit} />
      <CaseDrawer c={shown} onClose={() => setOpenId(null)} onChanged={setFresh} />
    </Space>
  );
}
