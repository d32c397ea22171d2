/** A lesson's attendance by class (docs/lessons.md): who came, first join, minutes watched (live and replay apart), who never came; XLSX. */
import { Button, Card, Table, Tag, Typography } from "antd";
import { useParams } from "react-router-dom";
import { useQuery } from "@tanstack/react-query";
import dayjs from "dayjs";
import { api, call } from "../../api/http";
import { useT } from "../../i18n";

export default function AttendancePage() {
  const t = useT();
  const id = Number(useParams().id);
  const q = useQuery({
    queryKey: ["lessons", id, "attendance"],
    queryFn: () => call(api.GET("/api/v1/lessons/{lesson_id}/attendance", { params: { path: { lesson_id: id } } })),
  });
  if (!q.data) return null;
  const mins = (s: number) => (s / 60).toFixed(1);
  return (
    <div data-testid="lesson-attendance">
      <Typography.Title level={4}>{t("lessons.attendanceOf", { title: q.data.title })}</Typography.Title>
      <Button href={`/api/v1/lessons/${id}/attendance.xlsx`} data-testid="lesson-xlsx">{t("lessons.export")}</Button>
      {q.data.classes.map((c) => (
        <Card key={c.unit_id} title={c.name} size="small" style={{ marginTop: 12 }}>
          <Table
            size="small"
            rowKey="person_id"
            pagination={false}
            dataSource={c.attended}
            columns={[
              { title: t("lessons.student"), dataIndex: "name" },
              { title: t("lessons.firstJoin"), dataIndex: "first_join", render: (v: string | null) => (v ? dayjs(v).format("HH:mm:ss") : "") },
              { title: t("lessons.minutesLive"), dataIndex: "live_seconds", render: (v: number) => <span data-testid="lesson-att-live">{mins(v)}</span> },
              { title: t("lessons.minutesReplay"), dataIndex: "replay_seconds", render: mins },
              { title: t("lessons.joins"), dataIndex: "joins" },
            ]}
            onRow={(r) => ({ "data-testid": "lesson-att-row", "data-name": r.name }) as React.HTMLAttributes<HTMLElement>}
          />
          <div style={{ marginTop: 8 }}>
            {t("lessons.absent", { n: c.absent.length })}{" "}
            {c.absent.map((p) => (
              <Tag key={p.id}>{p.name}</Tag>
            ))}
          </div>
        </Card>
      ))}
    </div>
  );
}
