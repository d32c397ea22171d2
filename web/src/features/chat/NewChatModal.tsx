import { useState } from "react";
import { Alert, Button, Form, Input, Modal, Select, Space, Tag, Typography } from "antd";
import { ApartmentOutlined } from "@ant-design/icons";
import { useMe, usePerson } from "../../api/hooks";
import { ApiError } from "../../api/http";
import { useT } from "../../i18n";
import { PersonSelect } from "../people/PersonSelect";
import { UnitTreeSelect } from "../layout/UnitTreeSelect";
import { useOpenConversation } from "./api";

export type NewChatMode = "direct" | "private" | "group" | "unit";

export const BURN_CHOICES = [10, 30, 60, 120, 300];

export function burnLabel(s: number, t: ReturnType<typeof useT>): string {
  return s < 60 ? t("chat.seconds", { n: s }) : t("chat.minutes", { n: s / 60 });
}

/** Start a direct or private chat, create a group, or open a class/department group. */
export function NewChatModal({
  mode,
  onClose,
  onOpened,
  personId,
}: {
  mode: NewChatMode;
  onClose: () => void;
  onOpened: (id: number) => void;
  personId?: number;
}) {
  const t = useT();
  const me = useMe().data;
  const open = useOpenConversation();
  const [person, setPerson] = useState<number | undefined>(personId);
  const [burn, setBurn] = useState(30);
  const [name, setName] = useState("");
  const [members, setMembers] = useState<{ id: number; label: string }[]>([]);
  const [unit, setUnit] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const fail = (e: unknown) => setError(e instanceof ApiError ? e.problem.title : String(e));
  const done = { onSuccess: (c: { id: number }) => onOpened(c.id), onError: fail };
  const pending = open.direct.isPending || open.group.isPending || open.unit.isPending;

  const submit = () => {
    setError(null);
    if (mode === "direct" || mode === "private") {
      if (!person) return;
      open.direct.mutate({ person_id: person, private: mode === "private", burn_seconds: burn }, done);
    } else if (mode === "group") {
      if (!name.trim()) return setError(t("chat.groupNameRequired"));
      open.group.mutate({ name: name.trim(), member_ids: members.map((m) => m.id) }, done);
    } else if (unit != null) {
      open.unit.mutate(unit, done);
    }
  };
  const title = {
    direct: t("chat.newDirect"),
    private: t("chat.newPrivate"),
    group: t("chat.newGroup"),
    unit: t("chat.openUnitGroup"),
  }[mode];

  return (
    <Modal
      open
      title={title}
      onCancel={onClose}
      onOk={submit}
      okText={t("chat.start")}
      cancelText={t("common.cancel")}
      confirmLoading={pending}
      okButtonProps={{ "data-testid": "new-chat-ok" } as Record<string, string>}
      destroyOnHidden
    >
      <Form layout="vertical" onFinish={submit}>
        {(mode === "direct" || mode === "private") && (
          <Form.Item label={t("chat.person")}>
            <div data-testid="new-chat-person">
              <PersonSelect value={person} onChange={setPerson} placeholder={t("chat.searchPerson")} exclude={me ? [me.id] : []} />
            </div>
          </Form.Item>
        )}
        {mode === "private" && (
          <>
            <Typography.Paragraph type="secondary">{t("chat.privateHint")}</Typography.Paragraph>
            <Form.Item label={t("chat.burnAfter")}>
              <Select
                data-testid="new-chat-burn"
                value={burn}
                onChange={setBurn}
                options={BURN_CHOICES.map((s) => ({ value: s, label: burnLabel(s, t) }))}
              />
            </Form.Item>
          </>
        )}
        {mode === "group" && (
          <>
            <Form.Item label={t("chat.groupName")} required>
              <Input data-testid="new-group-name" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
            </Form.Item>
            <Form.Item label={t("chat.members")}>
              <PersonSelect
                value={null}
                placeholder={t("chat.addPeople")}
                exclude={[...(me ? [me.id] : []), ...members.map((m) => m.id)]}
                onChange={(id) => setMembers((ms) => [...ms, { id, label: String(id) }])}
              />
              <Space wrap style={{ marginTop: 8 }}>
                {members.map((m) => (
                  <MemberTag key={m.id} id={m.id} onClose={() => setMembers((ms) => ms.filter((x) => x.id !== m.id))} />
                ))}
              </Space>
            </Form.Item>
          </>
        )}
        {mode === "unit" && (
          <>
            {!!me?.memberships.length && (
              <Form.Item label={t("chat.myUnits")}>
                <Space wrap>
                  {me.memberships.map((ms) => (
                    <Button
                      key={ms.id}
                      icon={<ApartmentOutlined />}
                      data-testid={`unit-group-${ms.unit.id}`}
                      loading={open.unit.isPending && open.unit.variables === ms.unit.id}
                      onClick={() => {
                        setError(null);
                        open.unit.mutate(ms.unit.id, done);
                      }}
                    >
                      <bdi>{ms.unit.name}</bdi>
                    </Button>
                  ))}
                </Space>
              </Form.Item>
            )}
            <Form.Item label={t("chat.otherUnit")}>
              <UnitTreeSelect value={unit} onChange={(id) => setUnit(id)} placeholder={t("tree.pickUnit")} />
            </Form.Item>
          </>
        )}
        {error && <Alert type="error" showIcon message={error} data-testid="new-chat-error" />}
      </Form>
    </Modal>
  );
}

function MemberTag({ id, onClose }: { id: number; onClose: () => void }) {
  // The select's label is not kept: show the person's name from the person cache.
  const name = usePersonName(id);
  return (
    <Tag closable onClose={onClose}>
      <bdi>{name}</bdi>
    </Tag>
  );
}

function usePersonName(id: number): string {
  return usePerson(id).data?.name ?? `#${id}`;
}
