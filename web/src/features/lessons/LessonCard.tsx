/** A live lesson's card in a class group (message kind "lesson"): opens the lesson. */
import { VideoCameraOutlined } from "@ant-design/icons";
import { Link } from "react-router-dom";
import type { components } from "../../api/schema";
import { useT } from "../../i18n";

type Message = components["schemas"]["MessageOut"];

export function LessonCard({ m }: { m: Message }) {
  const t = useT();
  return (
    <div className="bw-form-card" data-testid="chat-lesson">
      <div className="bw-form-card-head">
        <VideoCameraOutlined /> {t("lessons.card.title")}
      </div>
      <bdi>{m.body}</bdi>
      {m.lesson && (
        <div>
          <Link to={`/lessons/${m.lesson.lesson_id}`} data-testid="chat-lesson-open">{t("lessons.card.open")}</Link>
        </div>
      )}
    </div>
  );
}
