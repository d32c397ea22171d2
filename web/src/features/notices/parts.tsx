/** Small pieces the notice screens share: the importance tag and a notice's state tags. */
import { Tag } from "antd";
import dayjs from "dayjs";
import { useT, type TFunction } from "../../i18n";
import type { Importance, NoticeSummary } from "./api";

const COLOR: Record<Importance, string | undefined> = { normal: undefined, important: "orange", urgent: "red" };

export function ImportanceTag({ value }: { value: Importance }) {
  const t = useT();
  if (value === "normal") return null;
  return (
    <Tag color={COLOR[value]} data-testid="notice-importance">
      {t(`notices.importance.${value}`)}
    </Tag>
  );
}

/** For a recipient: unread / to confirm / recalled / edited. */
export function ReaderTags({ n, t }: { n: NoticeSummary; t: TFunction }) {
  return (
    <>
      {n.recalled_at && <Tag>{t("notices.state.recalled")}</Tag>}
      {!n.recalled_at && n.mine && !n.mine.read_at && (
        <Tag color="blue" data-testid="notice-unread-tag">
          {t("notices.state.unread")}
        </Tag>
      )}
      {!n.recalled_at && n.confirm && n.mine && !n.mine.confirmed_at && <Tag color="orange">{t("notices.state.toConfirm")}</Tag>}
      {n.edited_at && !n.recalled_at && <Tag data-testid="notice-edited-tag">{t("notices.state.edited")}</Tag>}
    </>
  );
}

/** For the author: scheduled / recalled / read n of m. */
export function AuthorTags({ n, t }: { n: NoticeSummary; t: TFunction }) {
  if (n.recalled_at) return <Tag>{t("notices.state.recalled")}</Tag>;
  if (!n.published_at) return <Tag color="blue">{t("notices.state.scheduled", { at: dayjs(n.publish_at).format("MM-DD HH:mm") })}</Tag>;
  const tot = n.totals;
  if (!tot) return null;
  return (
    <Tag color={tot.read >= tot.total ? "green" : "gold"}>
      {t("notices.readOf", { n: tot.read, m: tot.total })}
      {n.confirm ? ` · ${t("notices.confirmedOf", { n: tot.confirmed, m: tot.total })}` : ""}
    </Tag>
  );
}
