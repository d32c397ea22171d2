/** An ended lesson's replay: playing counts as replay time in attendance (docs/lessons.md). */
import { useEffect, useRef } from "react";
import { Typography } from "antd";
import { api } from "../../api/http";
import { useT } from "../../i18n";

export function Replay({ lessonId, state }: { lessonId: number; state: "processing" | "ready" | "failed" | null | undefined }) {
  const t = useT();
  const playing = useRef(false);
  const tell = (watching: boolean) => {
    if (playing.current === watching) return;
    playing.current = watching;
    void api.POST("/api/v1/lessons/{lesson_id}/replay/watching", { params: { path: { lesson_id: lessonId } }, body: { watching } });
  };
  useEffect(() => () => tell(false), []); // eslint-disable-line react-hooks/exhaustive-deps
  if (state === "processing") return <Typography.Text type="secondary" data-testid="lesson-replay-processing">{t("lessons.replayProcessing")}</Typography.Text>;
  if (state === "failed") return <Typography.Text type="secondary">{t("lessons.replayFailed")}</Typography.Text>;
  if (state !== "ready") return null;
  return (
    <video
      className="bw-lesson-video"
      data-testid="lesson-replay"
      controls
      playsInline
      src={`/api/v1/lessons/${lessonId}/replay`}
      onPlay={() => tell(true)}
      onPause={() => tell(false)}
      onEnded={() => tell(false)}
    />
  );
}
