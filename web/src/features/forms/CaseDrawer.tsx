/**
 * One abnormal case (a drawer over the cases list): who, where, which form and day, why, its
 * state, and its follow-up — each note with its author, time and the state it moved the case
 * to, oldest first — then "add a note / change the state" (open → contacted → resolved; a
 * resolved case may be opened again). `POST /forms/cases/{id}/notes`.
 */
import { useState } from "react";
import { Alert, Button, Descriptions, Drawer, Empty, Input, Radio, Space, Spin, Tag, Timeline, Typography } from "antd";
import dayjs from "dayjs";
import { errorText } from "../../app/errors";
import { useT, type TFunction } from "../../i18n";
import { useIsPhone } from "../layout/AppLayout";
import { useAddCaseNote, useCaseNotes, type CaseOut, type CaseState } from "./reachApi";

const COLORS: Record<string, string> = { open: "red", contacted: "orange", resolved: "green" };
export const CASE_STATES: CaseState[] = ["open", "contacted", "resolved"];

export function caseStateTag(state: string, t: TFunction) {
  return (
    <Tag color={COLORS[state]} data-testid="case-state">
      {t(`forms.cases.state.${state as CaseState}`)}
    </Tag>
  );
}

function NoteForm({ c, onDone }: { c: CaseOut; onDone: (c: CaseOut) => void }) {
  const t = useT();
  const add = useAddCaseNote(c.id);
  const next: CaseState = c.state === "open" ? "contacted" : c.state === "contacted" ? "resolved" : "resolved";
  const [state, setState] = useState<CaseState>(next);
  const [body, setBody] = useState("");
  const moves = state !== c.state;
  const send = () =>
    add.mutate(
      { state: moves ? state : null, body: body.trim() },
      {
        onSuccess: (out) => {
          setBody("");
          onDone(out);
        },
      },
    );
  return (
    <Space orientation="vertical" style={{ width: "100%" }} data-testid="case-note-form">
      <Typography.Text strong>{t("forms.cases.addNote")}</Typography.Text>
      <Radio.Group value={state} onChange={(e) => setState(e.target.value)} optionType="button" data-testid="case-note-state">
        {CASE_STATES.map((s) => (
          <Radio key={s} value={s}>
            {t(`forms.cases.state.${s}`)}
          </Radio>
        ))}
      </Radio.Group>
      <Input.TextArea
        value={body}
        maxLength={2000}
        autoSize={{ minRows: 2, maxRows: 6 }}
        placeholder={t("forms.cases.notePlaceholder")}
        onChange={(e) => setBody(e.target.value)}
        data-testid="case-note-body"
      />
      {add.isError && <Alert type="error" showIcon title={errorText(add.error, t)} data-testid="case-note-error" />}
      <Button type="primary" block loading={add.isPending} disabled={!moves && !body.trim()} onClick={send} data-testid="case-note-save">
        {moves ? t("forms.cases.saveMove", { state: t(`forms.cases.state.${state}`) }) : t("forms.cases.saveNote")}
      </Button>
    </Space>
  );
}

export function CaseDrawer({ c, onClose, onChanged }: { c: CaseOut | null; onClose: () => void; onChanged: (c: CaseOut) => void }) {
  const t = useT();
  const phone = useIsPhone();
  const notes = useCaseNotes(c?.id ?? null);
  return (
    <Drawer open={c != null} onClose={onClose} size={phone ? "100%" : 480} title={c ? `${c.subject.name} · ${c.unit_name}` : ""} destroyOnHidden data-testid="case-drawer">
      {c && (
        <Space orientation="vertical" size="large" style={{ width: "100%" }}>
          <Descriptions size="small" column={1} bordered>
            <Descriptions.Item label={t("forms.cases.state")}>{caseStateTag(c.state, t)}</Descriptions.Item>
            <Descriptions.Item label={t("forms.cases.form")}>{c.campaign_name}</Descriptions.Item>
            <Descriptions.Item label={t("forms.cases.day")}>{c.period}</Descriptions.Item>
            <Descriptions.Item label={t("forms.cases.reasons")}>
              <Space size={4} wrap>
                {c.reasons.map((r) => (
                  <Tag key={r} color="red">
                    {r}
                  </Tag>
                ))}
              </Space>
            </Descriptions.Item>
            <Descriptions.Item label={t("forms.cases.at")}>{dayjs(c.created_at).format("YYYY-MM-DD HH:mm")}</Descriptions.Item>
          </Descriptions>
          <div>
            <Typography.Title level={5}>{t("forms.cases.followUp")}</Typography.Title>
            {notes.isPending ? (
              <Spin />
            ) : notes.isError ? (
              <Alert type="warning" showIcon title={errorText(notes.error, t)} />
            ) : (notes.data ?? []).length === 0 ? (
              <Empty description={t("forms.cases.noNotes")} image={Empty.PRESENTED_IMAGE_SIMPLE} />
            ) : (
              <Timeline
                data-testid="case-notes"
                items={(notes.data ?? []).map((n) => ({
                  color: n.state ? COLORS[n.state] : "gray",
                  content: (
                    <div data-testid="case-note">
                      <Space size={4} wrap>
                        <Typography.Text strong>{n.author?.name ?? t("forms.cases.someone")}</Typography.Text>
                        <Typography.Text type="secondary">{dayjs(n.created_at).format("MM-DD HH:mm")}</Typography.Text>
                        {n.state && caseStateTag(n.state, t)}
                      </Space>
                      {n.body && <Typography.Paragraph style={{ marginBottom: 0, whiteSpace: "pre-wrap" }}>{n.body}</Typography.Paragraph>}
                    </div>
                  ),
                }))}
              />
            )}
          </div>
          <NoteForm key={`${c.id}:${c.state}`} c={c} onDone={onChanged} />
        </Space>
      )}
    </Drawer>
  );
}
