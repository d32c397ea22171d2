import type { ReactNode } from "react";
import { Badge, Button, Card, Empty, Result, Spin, Typography } from "antd";
import { AlertOutlined, AppstoreOutlined, AuditOutlined, BellOutlined, EnvironmentOutlined, FileDoneOutlined, FormOutlined, EditOutlined, FileTextOutlined, ClusterOutlined, KeyOutlined, ScheduleOutlined, SendOutlined, TeamOutlined, UploadOutlined, VideoCameraOutlined } from "@ant-design/icons";
import { useNavigate } from "react-router-dom";
import { useT } from "../../i18n";
import type { MessageKey } from "../../i18n/locales/zh-CN";
import { errorText } from "../../app/errors";
import { useWorkbench, type Tile } from "./api";
import "./workbench.css";

/** Each tile's icon and colour, by its key (the server's registry in bellwork/tiles.py). */
const LOOK: Record<string, { icon: ReactNode; color: string }> = {
  "notices.inbox": { icon: <FileTextOutlined />, color: "#2f54eb" },
  "notices.sent": { icon: <EditOutlined />, color: "#13c2c2" },
  "forms.todo": { icon: <FormOutlined />, color: "#7cb305" },
  "forms.cases": { icon: <AlertOutlined />, color: "#cf1322" },
  "reports.inbox": { icon: <FileDoneOutlined />, color: "#d46b08" },
  "lessons.live": { icon: <VideoCameraOutlined />, color: "#c41d7f" },
  "approvals.inbox": { icon: <AuditOutlined />, color: "#fa541c" },
  "attendance.today": { icon: <EnvironmentOutlined />, color: "#08979c" },
  "ding.sent": { icon: <BellOutlined />, color: "#f5222d" },
  "org.units": { icon: <ClusterOutlined />, color: "#1677ff" },
  "org.import": { icon: <UploadOutlined />, color: "#13a8a8" },
  "auth.tokens": { icon: <KeyOutlined />, color: "#722ed1" },
  "audit.log": { icon: <AuditOutlined />, color: "#fa8c16" },
  "jobs.queue": { icon: <ScheduleOutlined />, color: "#eb2f96" },
  "delivery.log": { icon: <SendOutlined />, color: "#52c41a" },
  "meetings.list": { icon: <TeamOutlined />, color: "#1d39c4" },
};

function TileButton({ tile }: { tile: Tile }) {
  const t = useT();
  const navigate = useNavigate();
  const look = LOOK[tile.key] ?? { icon: <AppstoreOutlined />, color: "#8c8c8c" };
  const label = t(`workbench.tile.${tile.key}` as MessageKey);
  const count = tile.count ?? 0;
  return (
    <button
      type="button"
      className="bw-tile"
      data-testid={`tile-${tile.key}`}
      data-count={tile.count ?? ""}
      aria-label={count > 0 ? `${label} · ${t("workbench.waiting", { n: count })}` : label}
      onClick={() => navigate(tile.path)}
    >
      <Badge count={count} overflowCount={99} size="small" offset={[-2, 2]}>
        <span className="bw-tile-icon" style={{ background: look.color }}>
          {look.icon}
        </span>
      </Badge>
      <span className="bw-tile-label">{label}</span>
    </button>
  );
}

function Section({ title, tiles, testId }: { title: string; tiles: Tile[]; testId: string }) {
  if (tiles.length === 0) return null;
  return (
    <Card size="small" title={title} className="bw-tiles-card" data-testid={testId}>
      <div className="bw-tiles">
        {tiles.map((tile) => (
          <TileButton key={tile.key} tile={tile} />
        ))}
      </div>
    </Card>
  );
}

/** 工作台: the tools a person may use in their units, with what waits for them in each. */
export default function WorkbenchPage() {
  const t = useT();
  const wb = useWorkbench();
  if (wb.isPending) return <Spin style={{ display: "block", margin: 48 }} />;
  if (wb.isError)
    return (
      <Result
        status="warning"
        title={errorText(wb.error, t)}
        extra={<Button onClick={() => void wb.refetch()}>{t("common.retry")}</Button>}
      />
    );
  const tiles = wb.data.tiles;
  return (
    <div className="bw-workbench" data-testid="workbench">
      <Typography.Title level={4} className="bw-page-title">
        {t("workbench.title")}
      </Typography.Title>
      {tiles.length === 0 ? (
        <Empty description={t("workbench.empty")} />
      ) : (
        <>
          <Section title={t("workbench.tools")} tiles={tiles.filter((x) => x.section === "tools")} testId="workbench-tools" />
          <Section title={t("workbench.admin")} tiles={tiles.filter((x) => x.section === "admin")} testId="workbench-admin" />
        </>
      )}
    </div>
  );
}
