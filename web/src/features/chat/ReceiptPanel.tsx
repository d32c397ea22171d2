import { useMemo } from "react";
import { Avatar, Button, Drawer, Empty, List, Spin, Tabs, Typography } from "antd";
import { BellOutlined } from "@ant-design/icons";
import { useNavigate } from "react-router-dom";
import { useT } from "../../i18n";
import { useReceipt, type Receipt } from "./api";
import { useTn } from "../../i18n/isolate";
import { previewNode } from "./text";
import type { Member, Message } from "./api";
import { displayName, type NamedPerson } from "../people/parents";

/**
 * A receipt lists people by name; a guardian is shown as their child's parent from the member
 * list the chat view holds already (the receipt itself stays a plain list for 3,000 readers:
 * looking up every guardian's child there doubled its time).
 */
function Groups({ groups, people }: { groups: Receipt["read"]; people: Map<number, NamedPerson> }) {
  const t = useT();
  if (!groups.length) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("common.empty")} />;
  return (
    <>
      {groups.map((g, i) => (
        <div key={g.unit ?? `none-${i}`} style={{ marginBottom: 12 }}>
          <Typography.Text type="secondary">
            {g.unit ? <bdi>{g.unit}</bdi> : t("chat.noUnit")} · {g.people.length}
          </Typography.Text>
          <List
            size="small"
            dataSource={g.people}
            renderItem={(p) => {
              const shown: NamedPerson = people.get(p.id) ?? p;
              const name = displayName(shown, t);
              return (
                <List.Item style={{ paddingInline: 0 }} data-testid="receipt-person">
                  <Avatar size="small" style={{ background: "#87a8d0", marginRight: 8 }}>
                    {name.slice(0, 1)}
                  </Avatar>
                  <bdi title={shown.parent_of ? p.name : undefined}>{name}</bdi>
                </List.Item>
              );
            }}
          />
        </div>
      ))}
    </>
  );
}

/** Who has read one of my messages and who has not, grouped by class or department. */
export function ReceiptPanel({
  conversationId,
  message,
  onClose,
  phone,
  members,
}: {
  conversationId: number;
  message: Message;
  onClose: () => void;
  phone: boolean;
  /** The conversation's current members, as the chat view has them (with parent labels). */
  members?: Member[];
}) {
  const t = useT();
  const people = useMemo(() => new Map((members ?? []).map((m) => [m.person.id, m.person])), [members]);
  const tn = useTn();
  const r = useReceipt(conversationId, message.seq);
  const navigate = useNavigate();
  // DING the unread (the server checks who may send one and whom they may reach).
  const dingUnread = r.data && r.data.unread_count > 0 && (
    <Button
      danger
      icon={<BellOutlined />}
      style={{ marginBottom: 12 }}
      onClick={() => navigate(`/ding/new?conversation=${conversationId}&seq=${message.seq}`)}
      data-testid="receipt-ding-unread"
    >
      {t("chat.dingUnread")}
    </Button>
  );
  return (
    <Drawer open onClose={onClose} title={t("chat.receiptTitle")} size={phone ? "100%" : 380} data-testid="chat-receipt-panel">
      <Typography.Paragraph type="secondary" ellipsis={{ rows: 2 }}>
        {previewNode(message, tn)}
      </Typography.Paragraph>
      {r.isPending ? (
        <Spin />
      ) : r.data ? (
        <Tabs
          items={[
            {
              key: "unread",
              label: t("chat.unreadTab", { n: r.data.unread_count }),
              children: (
                <>
                  {dingUnread}
                  <Groups groups={r.data.unread} people={people} />
                </>
              ),
            },
            { key: "read", label: t("chat.readTab", { n: r.data.read_count }), children: <Groups groups={r.data.read} people={people} /> },
          ]}
        />
      ) : null}
    </Drawer>
  );
}
