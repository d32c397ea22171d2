/**
 * Down the tree (docs/forms.md, "Down the tree"): what a collection's page shows of a bureau's
 * campaign handed down to every school below — on the bureau's, how many schools' copies are
 * made; on a school's copy, where it came from and "使用本校扩展模板": switching the copy to a
 * template the school made from the bureau's with "增加本组织题目" (the bureau's questions
 * locked), or back to the bureau's. The server refuses anything else and says why.
 */
import { useState } from "react";
import { App, Button, Select, Space, Tag, Typography } from "antd";
import { ApartmentOutlined, SwapOutlined } from "@ant-design/icons";
import { useNavigate } from "react-router-dom";
import { errorText } from "../../app/errors";
import { useT } from "../../i18n";
import { useSwitchTemplate, useTemplates, type CampaignOut, type TemplateOut } from "./api";

export function HandDownTags({ c }: { c: CampaignOut }) {
  const t = useT();
  if (c.hand_down)
    return (
      <Tag color="blue" icon={<ApartmentOutlined />} data-testid="campaign-handed-down">
        {t("forms.down.copies", { n: c.copies })}
      </Tag>
    );
  if (c.parent_id != null)
    return (
      <Tag color="blue" icon={<ApartmentOutlined />} data-testid="campaign-from-above">
        {t("forms.down.fromAbove")}
      </Tag>
    );
  return null;
}

/** The templates a copy may switch to: the bureau's, and those made from it (at any depth). */
export function derivedTemplates(all: TemplateOut[], rootTemplate: number): TemplateOut[] {
  const ok = new Set([rootTemplate]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const x of all)
      if (!ok.has(x.id) && x.base_id != null && ok.has(x.base_id)) {
        ok.add(x.id);
        grew = true;
      }
  }
  return all.filter((x) => ok.has(x.id));
}

export function UseOurTemplate({ c }: { c: CampaignOut }) {
  const t = useT();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const templates = useTemplates(c.parent_id != null && !c.closed_at ? c.unit_id : null);
  const change = useSwitchTemplate(c.id);
  const [picked, setPicked] = useState<number | undefined>();
  if (c.parent_id == null || c.root_template_id == null || c.closed_at) return null;
  const options = derivedTemplates(templates.data ?? [], c.root_template_id).filter((x) => x.id !== c.template_id);
  const apply = async () => {
    if (picked == null) return;
    try {
      await change.mutateAsync(picked);
      setPicked(undefined);
      void message.success(t("forms.down.switched"));
    } catch (err) {
      void message.error(errorText(err, t));
    }
  };
  return (
    <div className="bw-forms-down" data-testid="campaign-switch">
      <Typography.Text type="secondary">{t("forms.down.switchHint")}</Typography.Text>
      {options.length === 0 ? (
        <Button size="small" onClick={() => navigate(`/forms/templates?unit=${c.unit_id}`)} data-testid="campaign-extend">
          {t("forms.down.extendFirst")}
        </Button>
      ) : (
        <Space.Compact style={{ width: "100%", maxWidth: 420 }}>
          <Select
            style={{ flex: 1, minWidth: 0 }}
            value={picked}
            placeholder={t("forms.down.pick")}
            onChange={setPicked}
            options={options.map((x) => ({
              value: x.id,
              label: x.id === c.root_template_id ? t("forms.down.theirs", { name: x.name }) : x.name,
            }))}
            data-testid="campaign-switch-template"
          />
          <Button type="primary" icon={<SwapOutlined />} disabled={picked == null} loading={change.isPending} onClick={() => void apply()} data-testid="campaign-switch-apply">
            {t("forms.down.use")}
          </Button>
        </Space.Compact>
      )}
    </div>
  );
}
