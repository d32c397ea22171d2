/** One's lessons, and a new one for one's classes (now or at a time). */
import { useState } from "react";
import { App, Button, Card, Checkbox, DatePicker, Input, List, Space, Tag } from "antd";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { useQuery } from "@tanstack/react-query";
import type { Dayjs } from "dayjs";
import { api, call } from "../../api/http";
import { errorText } from "../../app/errors";
import { useT } from "../../i18n";

export default function LessonsPage() {
  const t = useT();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const lessons = useQuery({ queryKey: ["lessons"], queryFn: () => call(api.GET("/api/v1/lessons")) });
  const classes = useQuery({ queryKey: ["lessons", "classes"], queryFn: () => call(api.GET("/api/v1/lessons/classes")) });
  const [title, setTitle] = useState("");
  const [params] = useSearchParams();
  // From a class group's header: that class picked.
  const [units, setUnits] = useState<number[]>(params.get("unit") ? [Number(params.get("unit"))] : []);
  const [at, setAt] = useState<Dayjs | null>(null);
  const create = async (now: boolean) => {
    try {
      const l = await call(
        api.POST("/api/v1/lessons", {
          body: { title: title.trim(), unit_ids: units, start_now: now, starts_at: at ? at.toISOString() : null, client_id: crypto.randomUUID() },
        }),
      );
      navigate(`/lessons/${l.id}`);
    } catch (err) {
      void message.error(errorText(err, t));
    }
  };
  return (
    <div>
      {(classes.data?.length ?? 0) > 0 && (
        <Card size="small" title={t("lessons.new")} style={{ marginBottom: 12 }}>
          <Space direction="vertical" style={{ width: "100%" }}>
            <Input value={title} maxLength={100} placeholder={t("lessons.titlePlaceholder")} onChange={(e) => setTitle(e.target.value)} data-testid="lesson-title" />
            <Checkbox.Group value={units} onChange={(v) => setUnits(v as number[])} options={(classes.data ?? []).map((c) => ({ value: c.id, label: c.name }))} data-testid="lesson-classes" />
            <Space wrap>
              <Button type="primary" disabled={!title.trim() || !units.length} onClick={() => void create(true)} data-testid="lesson-go-live">{t("lessons.startNow")}</Button>
              <DatePicker showTime value={at} onChange={setAt} />
              <Button disabled={!title.trim() || !units.length || !at} onClick={() => void create(false)}>{t("lessons.schedule")}</Button>
            </Space>
          </Space>
        </Card>
      )}
      <List
        dataSource={lessons.data ?? []}
        renderItem={(l) => (
          <List.Item>
            <Link to={`/lessons/${l.id}`}>{l.title}</Link> <Tag color={l.state === "live" ? "red" : undefined}>{t(`lessons.state.${l.state}`)}</Tag> {l.classes.map((c) => c.name).join("、")}
          </List.Item>
        )}
      />
    </div>
  );
}
