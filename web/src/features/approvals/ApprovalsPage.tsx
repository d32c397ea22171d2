/**
 * 审批 (/approvals): the four lists — waiting for me (with its badge), my requests, done by me,
 * copied to me — each searchable (the title, the submitter's name, short text answers: the
 * server's approvals/search.py) and filtered by state, exported as a spreadsheet; the way to
 * start a request, and one's delegation while on leave. Live: `approval.changed` refetches the
 * lists. Phone first.
 */
import { useState } from "react";
import { Badge, Button, Card, Empty, Input, List, Select, Spin, Tabs, Tag, Typography } from "antd";
import { DownloadOutlined, PlusOutlined, SettingOutlined, UserSwitchOutlined } from "@ant-design/icons";
import { useMe } from "../../api/hooks";
import { useNavigate, useSearchParams } from "react-router-dom";
import dayjs from "dayjs";
import { useEvent } from "../../realtime";
import { useT } from "../../i18n";
import type { MessageKey } from "../../i18n/locales/zh-CN";
import { exportUrl, useApprovalList, useApprovalsLive, type ApprovalItem, type Box, type Filters, type Status } from "./api";
import "./approvals.css";

const BOXES: Box[] = ["waiting", "mine", "done", "cc"];
const STATUSES: Status[] = ["pending", "approved", "rejected", "returned", "withdrawn"];
export const STATUS_COLOR: Record<string, string> = {
  pending: "processing",
  approved: "success",
  rejected: "error",
  returned: "warning",
  withdrawn: "default",
};

export function StatusTag({ status }: { status: string }) {
  const t = useT();
  return (
    <Tag color={STATUS_COLOR[status]} data-testid="approvals-status">
      {t(`approvals.status.${status}` as MessageKey)}
    </Tag>
  );
}

function Row({ item, onOpen }: { item: ApprovalItem; onOpen: () => void }) {
  const t = useT();
  return (
    <List.Item className="bw-approvals-item" onClick={onOpen} data-testid={`approvals-item-${item.id}`}>
      <List.Item.Meta
        title={
          <span className="bw-approvals-item-title">
            <span>{item.title}</span>
            <StatusTag status={item.status} />
          </span>
        }
        description={
          <span>
            {dayjs(item.created_at).format("MM-DD HH:mm")}
            {item.status === "pending" && item.waiting_on.length > 0 && ` · ${t("approvals.waitingOn", { names: item.waiting_on.map((p) => p.name).join("、") })}`}
          </span>
        }
      />
    </List.Item>
  );
}

function BoxList({ box, filters }: { box: Box; filters: Filters }) {
  const t = useT();
  const navigate = useNavigate();
  const q = useApprovalList(box, filters);
  if (q.isPending) return <Spin />;
  const items = q.data?.items ?? [];
  if (!items.length) return <Empty description={t("approvals.none")} />;
  return (
    <List
      dataSource={items}
      renderItem={(item) => <Row item={item} onOpen={() => navigate(`/approvals/${item.id}`)} />}
      data-testid={`approvals-${box}`}
    />
  );
}

export default function ApprovalsPage() {
  const t = useT();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const raw = params.get("box") as Box | null;
  const box: Box = raw && BOXES.includes(raw) ? raw : "waiting";
  const [text, setText] = useState("");
  const [filters, setFilters] = useState<Filters>({});
  const waiting = useApprovalList("waiting", {});
  const me = useMe().data;
  const designs = !!me?.is_admin || (me?.managed_unit_ids.length ?? 0) > 0;
  useEvent("approval.changed", useApprovalsLive());
  return (
    <Card
      className="bw-approvals-page"
      title={<Typography.Text strong>{t("approvals.title")}</Typography.Text>}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate("/approvals/new")} data-testid="approvals-new">
          {t("approvals.new")}
        </Button>
      }
    >
      <div className="bw-approvals-filters">
        <Input.Search
          value={text}
          allowClear
          placeholder={t("approvals.search")}
          onChange={(e) => setText(e.target.value)}
          onSearch={(v) => setFilters((f) => ({ ...f, q: v.trim() || null }))}
          data-testid="approvals-search"
        />
        <Select
          style={{ minWidth: 120 }}
          value={filters.status ?? ""}
          onChange={(v: string) => setFilters((f) => ({ ...f, status: (v || null) as Status | null }))}
          options={[{ value: "", label: t("approvals.anyStatus") }, ...STATUSES.map((s) => ({ value: s, label: t(`approvals.status.${s}` as MessageKey) }))]}
          data-testid="approvals-status-filter"
        />
        <Button icon={<DownloadOutlined />} href={exportUrl(box, filters)} data-testid="approvals-export">
          {t("approvals.export")}
        </Button>
        <Button icon={<UserSwitchOutlined />} onClick={() => navigate("/approvals/delegation")} data-testid="approvals-delegation">
          {t("approvals.delegation")}
        </Button>
        {designs && (
          <Button icon={<SettingOutlined />} onClick={() => navigate("/approvals/templates")} data-testid="approvals-templates">
            {t("approvals.templates")}
          </Button>
        )}
      </div>
      <Tabs
        activeKey={box}
        onChange={(k) => setParams(k === "waiting" ? {} : { box: k }, { replace: true })}
        items={BOXES.map((b) => ({
          key: b,
          label:
            b === "waiting" ? (
              <Badge count={waiting.data?.waiting ?? 0} size="small" offset={[8, 0]} data-testid="approvals-waiting-count">
                {t("approvals.box.waiting")}
              </Badge>
            ) : (
              <span data-testid={`approvals-tab-${b}`}>{t(`approvals.box.${b}` as MessageKey)}</span>
            ),
          children: <BoxList box={b} filters={filters} />,
        }))}
      />
    </Card>
  );
}
