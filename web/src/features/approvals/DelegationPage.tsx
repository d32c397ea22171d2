/**
 * 请假委托 (/approvals/delegation): while one is on leave, the requests that come to one go to
 * a delegate, who approves in one's place (the timeline says for whom). Lists the delegations
 * that have not ended, adds one, cancels one.
 */
import { useState } from "react";
import { App, Button, Card, Empty, Input, List, Space, Typography } from "antd";
import { errorText } from "../../app/errors";
import { useT } from "../../i18n";
import { PersonSelect } from "../people/PersonSelect";
import { useCancelDelegation, useDelegate, useDelegations } from "./api";
import "./approvals.css";

export default function DelegationPage() {
  const t = useT();
  const { message } = App.useApp();
  const list = useDelegations();
  const add = useDelegate();
  const cancel = useCancelDelegation();
  const [person, setPerson] = useState<number | null>(null);
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const save = async () => {
    if (person == null || !from || !to) return;
    try {
      await add.mutateAsync({ delegate_id: person, starts_on: from, ends_on: to });
      setPerson(null);
    } catch (err) {
      void message.error(errorText(err, t));
    }
  };
  const items = list.data ?? [];
  return (
    <Card className="bw-approvals-page" title={t("approvals.delegation")}>
      {items.length === 0 ? (
        <Empty description={t("approvals.delegateNone")} />
      ) : (
        <List
          dataSource={items}
          renderItem={(d) => (
            <List.Item
              actions={[
                <Button key="x" size="small" onClick={() => void cancel.mutateAsync(d.id)}>
                  {t("approvals.cancel")}
                </Button>,
              ]}
            >
              {t("approvals.delegateItem", { from: d.starts_on, to: d.ends_on, name: d.delegate.name })}
            </List.Item>
          )}
        />
      )}
      <Space direction="vertical" style={{ width: "100%", marginTop: 12 }}>
        <Typography.Text type="secondary">{t("approvals.delegateTo")}</Typography.Text>
        <PersonSelect value={person} onChange={setPerson} placeholder={t("approvals.choosePerson")} data-testid="approvals-delegate-person" />
        <Typography.Text type="secondary">{t("approvals.delegateRange")}</Typography.Text>
        <Space.Compact style={{ width: "100%" }}>
          <Input type="date" value={from} onChange={(e) => setFrom(e.target.value)} data-testid="approvals-delegate-from" />
          <Input type="date" value={to} onChange={(e) => setTo(e.target.value)} data-testid="approvals-delegate-to" />
        </Space.Compact>
        <Button type="primary" block loading={add.isPending} disabled={person == null || !from || !to} onClick={() => void save()} data-testid="approvals-delegate-add">
          {t("approvals.delegateAdd")}
        </Button>
      </Space>
    </Card>
  );
}
