/** A meeting's attendance (docs/meetings.md): who came, first join, last leave, minutes in, joins; who never came; XLSX. */
import { Button, Table, Tag, Typography } from "antd";
import { useParams } from "react-router-dom";
import { useQuery } from "@tanstack/react-query";
import dayjs from "dayjs";
import { api, call } from "../../api/http";
import { useT } from "../../i18n";

export default function AttendancePage() {
  const t = useT();
  const id = Number(useParams().id);
  const q = useQuery({
    queryKey: ["meetings", id, "attendance"],
    queryFn: () => call(api.GET("/api/v1/meetings/{meeting_id}/attendance", { params: { path: { meeting_id: id } } })),
  });
  if (!q.data) return null;
  const time = (v: string) => dayjs(v).format("HH:mm:ss");
  return (
    <div data-testid="meeting-attendance">
      <Typography.Title level={4}>{t("meetings.attendanceOf", { title: q.data.title })}</Typography.Title>
      <Button href={`/api/v1/meetings/${id}/attendance.xlsx`} data-testid="meeting-xlsx">{t("meetings.export")}</Button>
      <Table
        style={{ marginTop: 12 }}
        size="small"
        rowKey="person_id"
        pagination={false}
        scroll={{ x: true }}
        dataSource={q.data.attended}
        columns={[
          { title: t("meetings.name"), dataIndex: "name" },
          { title: t("meetings.firstJoin"), dataIndex: "first_join", render: time },
          { title: t("meetings.lastLeave"), dataIndex: "last_leave", render: time },
          { title: t("meetings.minutesIn"), dataIndex: "seconds", render: (v: number) => <span data-testid="meeting-att-minutes">{(v / 60).toFixed(1)}</span> },
          { title: t("meetings.joins"), dataIndex: "joins" },
        ]}
        onRow={(r) => ({ "data-testid": "meeting-att-row", "data-name": r.name }) as React.HTMLAttributes<HTMLElement>}
      />
      <div style={{ marginTop: 8 }}>
        {t("meetings.absent", { n: q.data.absent.length })}{" "}
        {q.data.absent.map((p) => (
          <Tag key={p.id}>{p.name}</Tag>
        ))}
      </div>
    </div>
  );
}
