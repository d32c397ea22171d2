/**
 * 异常告警接收人 of a unit (`GET/PUT /forms/units/{id}/responders`): who this level is told of
 * abnormal check-ins below it besides the class teachers — a school's health officer, a
 * district's or the city's contacts. For the unit's heads and admins (the card is not shown to
 * others: the server refuses them). At most 20 people.
 */
import { useEffect, useState } from "react";
import { Alert, Button, Card, Space, Tag, Typography } from "antd";
import { errorText } from "../../app/errors";
import { useT } from "../../i18n";
import { PersonSelect } from "../people/PersonSelect";
import { useResponders, useSetResponders } from "./reachApi";

const MAX = 20;

export function RespondersCard({ unit }: { unit: number }) {
  const t = useT();
  const q = useResponders(unit);
  const save = useSetResponders(unit);
  const [people, setPeople] = useState<{ id: number; name: string }[]>([]);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (q.data) setPeople(q.data.people.map((p) => ({ id: p.id, name: p.name })));
  }, [q.data]);
  if (!q.data) return null; // not theirs to set (or not loaded yet)
  const changed = people.map((p) => p.id).join(",") !== q.data.people.map((p) => p.id).join(",");
  return (
    <Card size="small" title={t("forms.responders.title")} data-testid="responders">
      <Space orientation="vertical" style={{ width: "100%" }}>
        <Typography.Text type="secondary">{t("forms.responders.hint")}</Typography.Text>
        <Space size={[4, 8]} wrap data-testid="responders-list">
          {people.length === 0 && <Typography.Text type="secondary">{t("forms.responders.none")}</Typography.Text>}
          {people.map((p) => (
            <Tag key={p.id} closable onClose={() => setPeople((xs) => xs.filter((x) => x.id !== p.id))} data-testid="responder">
              {p.name}
            </Tag>
          ))}
        </Space>
        {people.length < MAX && (
          <PersonSelect
            value={null}
            exclude={people.map((p) => p.id)}
            placeholder={t("forms.responders.add")}
            onChange={() => undefined}
            onPick={(p) => {
              setSaved(false);
              setPeople((xs) => (xs.some((x) => x.id === p.id) ? xs : [...xs, p]));
            }}
            data-testid="responders-add"
          />
        )}
        {save.isError && <Alert type="error" showIcon title={errorText(save.error, t)} />}
        {saved && !changed && <Alert type="success" showIcon title={t("forms.responders.saved")} data-testid="responders-saved" />}
        <Button
          type="primary"
          disabled={!changed}
          loading={save.isPending}
          onClick={() => save.mutate(people.map((p) => p.id), { onSuccess: () => setSaved(true) })}
          data-testid="responders-save"
        >
          {t("common.save")}
        </Button>
      </Space>
    </Card>
  );
}
