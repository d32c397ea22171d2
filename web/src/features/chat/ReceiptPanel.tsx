import { Avatar, Drawer, Empty, List, Spin, Tabs, Typography } from "antd";
import { useT } from "../../i18n";
import { useReceipt, type Receipt } from "./api";
import { useTn } from "../../i18n/isolate";
import { previewNode } from "./text";
import type { Message } from "./api";

function Groups({ groups }: { groups: Receipt["read"] }) {
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
            renderItem={(p) => (
              <List.Item style={{ paddingInline: 0 }}>
                <Avatar size="small" style={{ background: "#87a8d0", marginRight: 8 }}>
                  {p.name.slice(0, 1)}
                </Avatar>
                <bdi>{p.name}</bdi>
              </List.Item>
            )}
          />
        </div>
      ))}
    </>
  );
}

/** Who has read one of my messages and who has not, grouped by class or department. */
export function ReceiptPanel({ conversationId, message, onClose, phone }: { conversationId: number; message: Message; onClose: () => void; phone: boolean }) {
  const t = useT();
  const tn = useTn();
  const r = useReceipt(conversationId, message.seq);
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
            { key: "unread", label: t("chat.unreadTab", { n: r.data.unread_count }), children: <Groups groups={r.data.unread} /> },
            { key: "read", label: t("chat.readTab", { n: r.data.read_count }), children: <Groups groups={r.data.read} /> },
          ]}
        />
      ) : null}
    </Drawer>
  );
}
