import { useState, type ReactNode } from "react";
import { Alert, Drawer, Empty, Input, List, Spin, Typography } from "antd";
import dayjs from "dayjs";
import { ApiError } from "../../api/http";
import { useT } from "../../i18n";
import { useSearchMessages, type Message } from "./api";
import { previewText } from "./text";
import { displayName } from "../people/parents";

/** `text` with every case-insensitive occurrence of `q` in a <mark>. */
export function highlight(text: string, q: string): ReactNode[] {
  const needle = q.trim().toLowerCase();
  if (!needle) return [text];
  const out: ReactNode[] = [];
  const lower = text.toLowerCase();
  let at = 0;
  for (let i = lower.indexOf(needle); i >= 0; i = lower.indexOf(needle, at)) {
    if (i > at) out.push(text.slice(at, i));
    out.push(<mark key={i}>{text.slice(i, i + needle.length)}</mark>);
    at = i + needle.length;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

/** A result's line: its text, or what it carries with the file's name (a hit may be by name). */
function resultText(m: Message, t: ReturnType<typeof useT>, me: number): string {
  if (m.body != null) return m.body;
  const line = previewText(m, t, me);
  return m.file && !line.includes(m.file.name) ? `${line} ${m.file.name}` : line;
}

/** Searches the conversation's history (text and file names); picking a result shows it. */
export function SearchDrawer({ id, me, phone, onClose, onPick }: { id: number; me: number; phone: boolean; onClose: () => void; onPick: (m: Message) => void }) {
  const t = useT();
  const [text, setText] = useState("");
  const [q, setQ] = useState("");
  const res = useSearchMessages(id, q);
  const items = res.data ? [...res.data.items].reverse() : [];

  return (
    <Drawer open onClose={onClose} title={t("chat.search")} size={phone ? "100%" : 400} data-testid="chat-search">
      <Input.Search
        autoFocus
        allowClear
        value={text}
        maxLength={100}
        placeholder={t("chat.searchPlaceholder")}
        onChange={(e) => {
          setText(e.target.value);
          if (!e.target.value) setQ("");
        }}
        onSearch={(v) => setQ(v.trim())}
        loading={res.isFetching}
        data-testid="chat-search-input"
      />
      <div style={{ marginTop: 12 }}>
        {!q && <Typography.Text type="secondary">{t("chat.searchHint")}</Typography.Text>}
        {q && res.isPending && (
          <div className="bw-center" style={{ padding: 24 }}>
            <Spin />
          </div>
        )}
        {res.isError && <Alert type="error" showIcon message={res.error instanceof ApiError ? res.error.problem.title : String(res.error)} />}
        {q && res.data && items.length === 0 && <Empty description={t("chat.searchEmpty")} />}
        {q && items.length > 0 && (
          <>
            <Typography.Text type="secondary" data-testid="chat-search-count">
              {res.data?.has_more ? t("chat.searchMore", { n: items.length }) : t("chat.searchCount", { n: items.length })}
            </Typography.Text>
            <List
              size="small"
              dataSource={items}
              renderItem={(m) => (
                <List.Item className="bw-chat-search-item" onClick={() => onPick(m)} data-testid="chat-search-result" data-seq={m.seq}>
                  <div style={{ minWidth: 0, width: "100%" }}>
                    <div className="bw-chat-search-meta">
                      <span>{m.sender ? m.sender.id === me ? t("chat.you") : <bdi>{displayName(m.sender, t)}</bdi> : ""}</span>
                      <span>{dayjs(m.created_at).format("YYYY-MM-DD HH:mm")}</span>
                    </div>
                    <div className="bw-chat-search-text">{highlight(resultText(m, t, me), q)}</div>
                  </div>
                </List.Item>
              )}
            />
          </>
        )}
      </div>
    </Drawer>
  );
}
