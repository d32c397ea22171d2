/**
 * 新建 DING (/ding/new): recipients (people by name, units × roles), the text, a voice note
 * (recorded here with chat's recorder: tap to record, 完成 to keep it, at most a minute) and an
 * attachment (one file or image), each uploaded at once and removable before sending, the
 * channels besides in-app, now or at a minute. The server resolves the audience and says when
 * it is empty or out of reach; its error shows under the form.
 */
import { useRef, useState } from "react";
import { Alert, App, Button, Card, Checkbox, DatePicker, Form, Input, Radio, Select, Space, Tag, Upload } from "antd";
import { DeleteOutlined, PaperClipOutlined, PlusOutlined } from "@ant-design/icons";
import { useNavigate, useSearchParams } from "react-router-dom";
import dayjs, { type Dayjs } from "dayjs";
import { usePerson } from "../../api/hooks";
import type { UnitOut } from "../../api/types";
import { errorText } from "../../app/errors";
import { useT } from "../../i18n";
import type { MessageKey } from "../../i18n/locales/zh-CN";
import { PersonSelect } from "../people/PersonSelect";
import { UnitTreeSelect } from "../layout/UnitTreeSelect";
import { RecordingBar, useVoiceRecorder, VoiceButton } from "../chat/VoiceRecorder";
import { uploadDingFile, useSendDing, type AudienceRole, type DingChannel, type DingFile } from "./api";
import { DingVoice } from "./DingMedia";

const ROLES: AudienceRole[] = ["guardian", "student", "teacher", "head", "staff", "member"];

interface UnitRow {
  key: number;
  unit_id: number | null;
  roles: AudienceRole[];
}

function PersonTag({ id, onClose }: { id: number; onClose: () => void }) {
  const p = usePerson(id).data;
  return (
    <Tag closable onClose={onClose} data-testid="ding-person-tag">
      {p?.name ?? `#${id}`}
    </Tag>
  );
}

export default function DingComposePage() {
  const t = useT();
  const navigate = useNavigate();
  const send = useSendDing();
  const clientId = useRef(crypto.randomUUID?.() ?? `${Date.now()}-${Math.random()}`);
  const [people, setPeople] = useState<number[]>([]);
  const [units, setUnits] = useState<UnitRow[]>([]);
  const [body, setBody] = useState("");
  const [channels, setChannels] = useState<DingChannel[]>([]);
  // From a chat message's unread list: /ding/new?conversation=ID&seq=N.
  const [params] = useSearchParams();
  const [unreadOf, setUnreadOf] = useState(() => {
    const conv = Number(params.get("conversation"));
    const seq = Number(params.get("seq"));
    return conv > 0 && seq > 0 ? { conversation_id: conv, seq } : null;
  });
  const [when, setWhen] = useState<"now" | "later">("now");
  const [at, setAt] = useState<Dayjs | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const { message } = App.useApp();
  // The voice note and attachment, uploaded as soon as they are chosen (loose until sent).
  const [voice, setVoice] = useState<{ file: DingFile; ms: number } | null>(null);
  const [attachment, setAttachment] = useState<DingFile | null>(null);
  const [uploading, setUploading] = useState(0);
  const uploadOne = async (file: File): Promise<DingFile | null> => {
    setUploading((n) => n + 1);
    try {
      return await uploadDingFile(file);
    } catch (err) {
      setProblem(errorText(err, t));
      return null;
    } finally {
      setUploading((n) => n - 1);
    }
  };
  const recorder = useVoiceRecorder(
    (file, ms) =>
      void uploadOne(file).then((f) => {
        if (f) setVoice({ file: f, ms });
      }),
    (key) => void message.error(t(key)),
  );
  const recording = recorder.state === "recording";

  const chosen = units.filter((u) => u.unit_id != null && u.roles.length > 0);
  const ready =
    body.trim().length > 0 && (people.length > 0 || chosen.length > 0 || unreadOf != null) && (when === "now" || at != null) && uploading === 0 && !recording;
  const submit = async () => {
    setProblem(null);
    try {
      const d = await send.mutateAsync({
        client_id: clientId.current,
        body: body.trim(),
        people,
        units: chosen.map((u) => ({ unit_id: u.unit_id!, roles: u.roles })),
        unread_of: unreadOf,
        channels,
        send_at: when === "later" && at ? at.second(0).millisecond(0).toISOString() : null,
        voice_id: voice?.file.id ?? null,
        voice_duration_ms: voice?.ms ?? null,
        attachment_id: attachment?.id ?? null,
      });
      navigate(`/ding/${d.id}`, { replace: true });
    } catch (err) {
      setProblem(errorText(err, t));
      clientId.current = crypto.randomUUID?.() ?? `${Date.now()}-${Math.random()}`;
    }
  };
  const setRow = (key: number, patch: Partial<UnitRow>) => setUnits((rows) => rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));

  return (
    <Card title={t("ding.new")} data-testid="ding-compose">
      <Form layout="vertical" onFinish={() => void submit()}>
        {unreadOf && (
          <Alert
            type="info"
            showIcon
            title={t("ding.unreadOf")}
            description={t("ding.unreadOfHint")}
            action={
              <Button size="small" onClick={() => setUnreadOf(null)}>
                {t("ding.unreadOfRemove")}
              </Button>
            }
            style={{ marginBottom: 16 }}
            data-testid="ding-unread-of"
          />
        )}
        <Form.Item label={t("ding.people")}>
          <Space orientation="vertical" style={{ width: "100%" }}>
            <PersonSelect
              value={null}
              placeholder={t("ding.peopleHint")}
              exclude={people}
              onChange={(id) => setPeople((ps) => (ps.includes(id) ? ps : [...ps, id]))}
              data-testid="ding-person-select"
            />
            {people.length > 0 && (
              <div>
                {people.map((id) => (
                  <PersonTag key={id} id={id} onClose={() => setPeople((ps) => ps.filter((p) => p !== id))} />
                ))}
              </div>
            )}
          </Space>
        </Form.Item>
        <Form.Item label={t("ding.units")}>
          <Space orientation="vertical" style={{ width: "100%" }}>
            {units.map((row) => (
              <div key={row.key} style={{ display: "flex", gap: 8, flexWrap: "wrap" }} data-testid="ding-unit-row">
                <div style={{ flex: "1 1 180px", minWidth: 0 }}>
                  <UnitTreeSelect
                    value={row.unit_id}
                    placeholder={t("ding.unitHint")}
                    onChange={(id, unit?: UnitOut) =>
                      setRow(row.key, {
                        unit_id: id,
                        roles: unit?.kind === "class" ? ["guardian"] : row.roles,
                      })
                    }
                  />
                </div>
                <Select
                  mode="multiple"
                  style={{ flex: "1 1 180px", minWidth: 0 }}
                  value={row.roles}
                  placeholder={t("ding.roles")}
                  onChange={(roles: AudienceRole[]) => setRow(row.key, { roles })}
                  options={ROLES.map((r) => ({ value: r, label: t(`ding.role.${r}` as MessageKey) }))}
                />
                <Button icon={<DeleteOutlined />} aria-label={t("common.remove")} onClick={() => setUnits((rows) => rows.filter((r) => r.key !== row.key))} />
              </div>
            ))}
            <Button
              icon={<PlusOutlined />}
              onClick={() => setUnits((rows) => [...rows, { key: Date.now(), unit_id: null, roles: ["teacher", "staff", "head"] }])}
              data-testid="ding-add-unit"
            >
              {t("ding.addUnit")}
            </Button>
          </Space>
        </Form.Item>
        <Form.Item label={t("ding.text")} required>
          <Input.TextArea
            value={body}
            onChange={(e) => setBody(e.target.value)}
            maxLength={500}
            showCount
            autoSize={{ minRows: 3, maxRows: 8 }}
            placeholder={t("ding.textHint")}
            data-testid="ding-text"
          />
        </Form.Item>
        <Form.Item label={t("ding.media")} extra={t("ding.mediaHint")}>
          {recording ? (
            <RecordingBar elapsed={recorder.elapsed} onCancel={() => recorder.finish(false)} onSend={() => recorder.finish(true)} doneLabel={t("ding.voiceDone")} />
          ) : (
            <div className="bw-ding-compose-media" data-testid="ding-compose-media">
              {voice ? (
                <span className="bw-ding-compose-media" data-testid="ding-voice-chosen">
                  <DingVoice file={voice.file} />
                  <Button icon={<DeleteOutlined />} aria-label={t("ding.removeVoice")} title={t("ding.removeVoice")} onClick={() => setVoice(null)} data-testid="ding-voice-remove" />
                </span>
              ) : (
                <VoiceButton state={recorder.state} onStart={() => void recorder.start()} label={t("ding.recordVoice")}>
                  {t("ding.recordVoice")}
                </VoiceButton>
              )}
              {attachment ? (
                <Tag closable onClose={() => setAttachment(null)} data-testid="ding-attachment-tag" closeIcon={<DeleteOutlined aria-label={t("ding.removeAttachment")} />}>
                  <PaperClipOutlined /> {attachment.name}
                </Tag>
              ) : (
                <Upload
                  showUploadList={false}
                  beforeUpload={(f) => {
                    void uploadOne(f).then((up) => up && setAttachment(up));
                    return false;
                  }}
                >
                  <Button icon={<PaperClipOutlined />} data-testid="ding-attach">
                    {t("ding.attach")}
                  </Button>
                </Upload>
              )}
              {uploading > 0 && <span data-testid="ding-uploading">{t("ding.uploading")}</span>}
            </div>
          )}
        </Form.Item>
        <Form.Item label={t("ding.channels")} extra={t("ding.channelsHint")}>
          <Checkbox.Group
            value={channels}
            onChange={(v) => setChannels(v as DingChannel[])}
            options={[
              { value: "sms", label: t("ding.sms") },
              { value: "voice", label: t("ding.voice") },
              { value: "email", label: t("ding.email") },
            ]}
          />
        </Form.Item>
        <Form.Item label={t("ding.when")}>
          <Space orientation="vertical" style={{ width: "100%" }}>
            <Radio.Group value={when} onChange={(e) => setWhen(e.target.value)} data-testid="ding-when">
              <Radio value="now">{t("ding.now")}</Radio>
              <Radio value="later">{t("ding.later")}</Radio>
            </Radio.Group>
            {when === "later" && (
              <DatePicker
                showTime={{ format: "HH:mm" }}
                format="YYYY-MM-DD HH:mm"
                value={at}
                onChange={setAt}
                disabledDate={(d) => d.isBefore(dayjs().startOf("day"))}
                style={{ width: "100%", maxWidth: 280 }}
                data-testid="ding-at"
              />
            )}
          </Space>
        </Form.Item>
        {problem && <Alert type="error" showIcon title={problem} style={{ marginBottom: 16 }} data-testid="ding-problem" />}
        <Button type="primary" danger htmlType="submit" block disabled={!ready} loading={send.isPending} data-testid="ding-send">
          {when === "now" ? t("ding.sendNow") : t("ding.schedule")}
        </Button>
      </Form>
    </Card>
  );
}
