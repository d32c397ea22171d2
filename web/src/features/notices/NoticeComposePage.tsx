/**
 * 发通知 (/notices/new) and editing one's notice (/notices/:id/edit): a title, a Markdown body
 * (write or preview; images uploaded and named in it), attachments, importance, "confirm you
 * have read", the audience (new notices only: it is snapshotted when published) and now or at
 * a minute. The server's refusal (nobody to reach, a time past, ...) shows under the form.
 */
import { useEffect, useRef, useState } from "react";
import { Alert, Button, Card, Checkbox, DatePicker, Form, Input, Radio, Segmented, Space, Spin, Tag, Upload } from "antd";
import { PaperClipOutlined, PictureOutlined } from "@ant-design/icons";
import { useNavigate, useParams } from "react-router-dom";
import dayjs, { type Dayjs } from "dayjs";
import { errorText, reportError } from "../../app/errors";
import { useT } from "../../i18n";
import { uploadNoticeFile, useEditNotice, useNotice, usePublishNotice, type Importance, type NoticeFile } from "./api";
import { AudiencePicker, type UnitRow } from "./AudiencePicker";
import { Markdown } from "./Markdown";
import "./notices.css";

const newId = () => crypto.randomUUID?.() ?? `${Date.now()}-${Math.random()}`;

export default function NoticeComposePage() {
  const t = useT();
  const navigate = useNavigate();
  const editId = Number(useParams().id) || null;
  const existing = useNotice(editId ?? 0);
  const publish = usePublishNotice();
  const edit = useEditNotice(editId ?? 0);
  const clientId = useRef(newId());
  const [title, setTitle] = useState("");
  const [body, setBody] = useState("");
  const [mode, setMode] = useState<"write" | "preview">("write");
  const [files, setFiles] = useState<NoticeFile[]>([]);
  const [importance, setImportance] = useState<Importance>("normal");
  const [confirm, setConfirm] = useState(false);
  const [people, setPeople] = useState<number[]>([]);
  const [units, setUnits] = useState<UnitRow[]>([]);
  const [when, setWhen] = useState<"now" | "later">("now");
  const [at, setAt] = useState<Dayjs | null>(null);
  const [uploading, setUploading] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const loaded = editId != null && existing.data;
  useEffect(() => {
    if (!loaded) return;
    const n = existing.data!;
    setTitle(n.title);
    setBody(n.body);
    setFiles(n.attachments);
    setImportance(n.importance);
    setConfirm(n.confirm);
  }, [loaded]); // eslint-disable-line react-hooks/exhaustive-deps
  if (editId != null && existing.isPending) return <Spin />;

  const chosen = units.filter((u) => u.unit_id != null && u.roles.length > 0);
  const ready = title.trim().length > 0 && (editId != null || people.length > 0 || chosen.length > 0) && (when === "now" || at != null);
  const upload = async (file: File, image: boolean) => {
    setUploading(true);
    try {
      const f = await uploadNoticeFile(file);
      if (image) setBody((b) => `${b}${b && !b.endsWith("\n") ? "\n\n" : ""}![${f.name.replace(/[[\]]/g, "")}](${f.url})\n`);
      else setFiles((fs) => [...fs, f]);
    } catch (err) {
      reportError(err);
    } finally {
      setUploading(false);
    }
    return false;
  };
  const submit = async () => {
    setProblem(null);
    try {
      if (editId != null) {
        await edit.mutateAsync({ title: title.trim(), body, importance, confirm, attachments: files.map((f) => f.id) });
        navigate(`/notices/${editId}`, { replace: true });
        return;
      }
      const n = await publish.mutateAsync({
        client_id: clientId.current,
        title: title.trim(),
        body,
        importance,
        confirm,
        attachments: files.map((f) => f.id),
        people,
        units: chosen.map((u) => ({ unit_id: u.unit_id!, roles: u.roles })),
        publish_at: when === "later" && at ? at.second(0).millisecond(0).toISOString() : null,
      });
      navigate(`/notices/${n.id}`, { replace: true });
    } catch (err) {
      setProblem(errorText(err, t));
      clientId.current = newId();
    }
  };

  return (
    <Card title={editId != null ? t("notices.edit") : t("notices.new")} data-testid="notice-compose">
      <Form layout="vertical" onFinish={() => void submit()}>
        <Form.Item label={t("notices.titleLabel")} required>
          <Input value={title} onChange={(e) => setTitle(e.target.value)} maxLength={200} data-testid="notice-title-input" />
        </Form.Item>
        <Form.Item label={t("notices.body")} extra={t("notices.bodyHint")}>
          <Space orientation="vertical" style={{ width: "100%" }}>
            <Space wrap>
              <Segmented
                value={mode}
                onChange={(v) => setMode(v as "write" | "preview")}
                options={[
                  { value: "write", label: t("notices.write") },
                  { value: "preview", label: t("notices.preview") },
                ]}
                data-testid="notice-mode"
              />
              <Upload accept="image/*" showUploadList={false} beforeUpload={(f) => upload(f, true)}>
                <Button icon={<PictureOutlined />} loading={uploading} data-testid="notice-add-image">
                  {t("notices.addImage")}
                </Button>
              </Upload>
            </Space>
            {mode === "write" ? (
              <Input.TextArea value={body} onChange={(e) => setBody(e.target.value)} autoSize={{ minRows: 6, maxRows: 16 }} maxLength={20000} data-testid="notice-body-input" />
            ) : (
              <div className="bw-notice-preview">
                <Markdown text={body} testId="notice-preview" />
              </div>
            )}
          </Space>
        </Form.Item>
        <Form.Item label={t("notices.attachments")}>
          <Space orientation="vertical" style={{ width: "100%" }}>
            <Upload showUploadList={false} beforeUpload={(f) => upload(f, false)} multiple>
              <Button icon={<PaperClipOutlined />} loading={uploading} data-testid="notice-add-file">
                {t("notices.addFile")}
              </Button>
            </Upload>
            <div>
              {files.map((f) => (
                <Tag key={f.id} closable onClose={() => setFiles((fs) => fs.filter((x) => x.id !== f.id))} data-testid="notice-file-tag">
                  {f.name}
                </Tag>
              ))}
            </div>
          </Space>
        </Form.Item>
        <Form.Item label={t("notices.importance")}>
          <Radio.Group value={importance} onChange={(e) => setImportance(e.target.value)} data-testid="notice-importance-input">
            <Radio value="normal">{t("notices.importance.normal")}</Radio>
            <Radio value="important">{t("notices.importance.important")}</Radio>
            <Radio value="urgent">{t("notices.importance.urgent")}</Radio>
          </Radio.Group>
        </Form.Item>
        <Form.Item>
          <Checkbox checked={confirm} onChange={(e) => setConfirm(e.target.checked)} data-testid="notice-confirm-input">
            {t("notices.askConfirm")}
          </Checkbox>
        </Form.Item>
        {editId == null && (
          <>
            <Form.Item label={t("notices.audience")} required extra={t("notices.audienceHint")}>
              <AudiencePicker people={people} units={units} onPeople={setPeople} onUnits={setUnits} />
            </Form.Item>
            <Form.Item label={t("notices.when")}>
              <Space orientation="vertical" style={{ width: "100%" }}>
                <Radio.Group value={when} onChange={(e) => setWhen(e.target.value)} data-testid="notice-when">
                  <Radio value="now">{t("notices.now")}</Radio>
                  <Radio value="later">{t("notices.later")}</Radio>
                </Radio.Group>
                {when === "later" && (
                  <DatePicker
                    showTime={{ format: "HH:mm" }}
                    format="YYYY-MM-DD HH:mm"
                    value={at}
                    onChange={setAt}
                    disabledDate={(d) => d.isBefore(dayjs().startOf("day"))}
                    style={{ width: "100%", maxWidth: 280 }}
                    data-testid="notice-at"
                  />
                )}
              </Space>
            </Form.Item>
          </>
        )}
        {problem && <Alert type="error" showIcon title={problem} style={{ marginBottom: 16 }} data-testid="notice-problem" />}
        <Button type="primary" htmlType="submit" block disabled={!ready} loading={publish.isPending || edit.isPending} data-testid="notice-publish">
          {editId != null ? t("common.save") : when === "now" ? t("notices.publishNow") : t("notices.schedule")}
        </Button>
      </Form>
    </Card>
  );
}
