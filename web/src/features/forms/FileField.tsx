/**
 * A photo or file question on the fill page (docs/forms.md, "Photos and files"), phone first:
 * "Take a photo" opens the phone's camera (`accept="image/*"` + `capture`), "Choose" the album
 * or files. Each pick uploads at once (`POST /forms/campaigns/{id}/files`) with its progress and
 * a local preview, then shows the server's thumbnail; it can be removed or replaced. A failed
 * upload says why under it (the server's words: too large, not a photo…) and can be retried;
 * the rest of the form is untouched. The value is a list of `FileItem`s (model.ts); only the
 * uploaded ones are sent, as ids.
 *
 * Uploading needs the form being filled (`UploadContext`, given by the fill page); in the
 * designer's preview the buttons show but are disabled.
 */
import { createContext, useContext, useRef } from "react";
import { Button, Progress, Space, Typography } from "antd";
import { CameraOutlined, DeleteOutlined, FileOutlined, PaperClipOutlined, ReloadOutlined, SwapOutlined } from "@ant-design/icons";
import { ApiError } from "../../api/http";
import { errorText } from "../../app/errors";
import { useT } from "../../i18n";
import type { FormFileOut } from "./api";
import { fileItems, type FieldOf, type FileItem } from "./model";

export type Uploader = (field: string, file: File, onProgress: (done: number) => void, signal: AbortSignal) => Promise<FormFileOut>;

/** How the fill page uploads; null where nothing may be uploaded (the designer's preview). */
export const UploadContext = createContext<Uploader | null>(null);

type Update = (items: FileItem[]) => FileItem[];

interface Props {
  field: FieldOf<"file">;
  value: unknown;
  /** Called with an updater: uploads finish after other answers may have changed. */
  onChange: (update: (current: unknown) => unknown) => void;
  disabled?: boolean;
}

let seq = 0;
const running = new Map<string, AbortController>();

function Thumb({ item }: { item: FileItem }) {
  const src = item.thumb ?? item.preview;
  if (item.isImage && src) return <img src={src} alt={item.name} className="bw-form-file-thumb" />;
  return (
    <span className="bw-form-file-thumb bw-form-file-icon" aria-hidden>
      <FileOutlined />
    </span>
  );
}

export function FileField({ field, value, onChange, disabled }: Props) {
  const t = useT();
  const upload = useContext(UploadContext);
  const camera = useRef<HTMLInputElement>(null);
  const choose = useRef<HTMLInputElement>(null);
  const replacing = useRef<string | null>(null);
  const items = fileItems(value);
  const max = field.max_files ?? 3;
  const imagesOnly = field.images_only ?? false;
  const off = disabled || !upload;

  const change = (fn: Update) => onChange((cur) => fn(fileItems(cur)));
  const patch = (uid: string, p: Partial<FileItem>) => change((all) => all.map((i) => (i.uid === uid ? { ...i, ...p } : i)));

  const start = (uid: string, file: File) => {
    if (!upload) return;
    const ctl = new AbortController();
    running.set(uid, ctl);
    upload(field.key, file, (p) => patch(uid, { progress: p }), ctl.signal)
      .then((out) => {
        patch(uid, {
          state: "done",
          progress: 1,
          id: out.id,
          url: out.url,
          thumb: out.has_thumbnail ? `${out.url}/thumbnail` : null,
          isImage: out.content_type.startsWith("image/"),
          error: undefined,
          file: undefined,
        });
      })
      .catch((err: unknown) => {
        if (err instanceof DOMException && err.name === "AbortError") return;
        const retryable = !(err instanceof ApiError) || err.status === 0 || err.status >= 500;
        patch(uid, { state: "failed", error: errorText(err, t), retryable });
      })
      .finally(() => running.delete(uid));
  };

  const forget = (item: FileItem) => {
    running.get(item.uid)?.abort();
    if (item.preview) URL.revokeObjectURL(item.preview);
  };

  const picked = (list: FileList | null) => {
    const files = Array.from(list ?? []);
    if (!files.length) return;
    const swap = replacing.current;
    replacing.current = null;
    const room = swap ? 1 : Math.max(max - items.length, 0);
    const fresh: FileItem[] = files.slice(0, max === 1 ? 1 : room).map((file) => {
      seq += 1;
      const isImage = file.type.startsWith("image/");
      return {
        uid: `up-${Date.now()}-${seq}`,
        name: file.name,
        state: "uploading",
        progress: 0,
        isImage,
        preview: isImage ? URL.createObjectURL(file) : undefined,
        file,
      };
    });
    if (!fresh.length) return;
    // One file at most: a new pick replaces it. Replacing one: in its place.
    const gone = max === 1 ? items : swap ? items.filter((i) => i.uid === swap) : [];
    gone.forEach(forget);
    change((all) => {
      if (max === 1) return fresh;
      if (swap) return all.flatMap((i) => (i.uid === swap ? fresh : [i]));
      return [...all, ...fresh].slice(0, max);
    });
    fresh.forEach((i) => i.file && start(i.uid, i.file));
  };

  const open = (input: HTMLInputElement | null, swap: string | null = null) => {
    replacing.current = swap;
    if (input) {
      input.value = "";
      input.click();
    }
  };

  const full = max > 1 && items.length >= max;
  return (
    <div className="bw-form-files" data-testid={`file-${field.key}`}>
      {/* The camera: a photo taken now. The other: the album, or any file the question takes. */}
      <input
        ref={camera}
        type="file"
        accept="image/*"
        capture="environment"
        hidden
        data-testid={`file-${field.key}-camera`}
        onChange={(e) => picked(e.target.files)}
      />
      <input
        ref={choose}
        type="file"
        accept={imagesOnly ? "image/*" : undefined}
        multiple={max > 1}
        hidden
        data-testid={`file-${field.key}-input`}
        onChange={(e) => picked(e.target.files)}
      />
      {items.length > 0 && (
        <ul className="bw-form-file-list">
          {items.map((item) => (
            <li key={item.uid} className={`bw-form-file bw-form-file-${item.state}`} data-testid={`file-${field.key}-item`} data-state={item.state}>
              {item.state === "done" && item.url ? (
                <a href={item.url} target="_blank" rel="noreferrer" className="bw-form-file-open">
                  <Thumb item={item} />
                </a>
              ) : (
                <Thumb item={item} />
              )}
              <div className="bw-form-file-body">
                <Typography.Text ellipsis className="bw-form-file-name">
                  {item.name}
                </Typography.Text>
                {item.state === "uploading" && (
                  <Progress percent={Math.round(item.progress * 100)} size="small" data-testid={`file-${field.key}-progress`} />
                )}
                {item.state === "done" && (
                  <Typography.Text type="success" className="bw-form-note">
                    {t("forms.file.uploaded")}
                  </Typography.Text>
                )}
                {item.state === "failed" && (
                  <Typography.Text type="danger" role="alert" data-testid={`file-${field.key}-failed`}>
                    {t("forms.file.failed", { reason: item.error ?? "" })}
                  </Typography.Text>
                )}
              </div>
              {!disabled && (
                <Space size={0} className="bw-form-file-actions">
                  {item.state === "failed" && item.retryable && item.file && upload && (
                    <Button
                      type="text"
                      icon={<ReloadOutlined />}
                      aria-label={t("forms.file.retry")}
                      title={t("forms.file.retry")}
                      onClick={() => {
                        patch(item.uid, { state: "uploading", progress: 0, error: undefined });
                        if (item.file) start(item.uid, item.file);
                      }}
                    />
                  )}
                  {upload && (
                    <Button
                      type="text"
                      icon={<SwapOutlined />}
                      aria-label={t("forms.file.replace")}
                      title={t("forms.file.replace")}
                      data-testid={`file-${field.key}-replace`}
                      onClick={() => open(imagesOnly ? camera.current : choose.current, item.uid)}
                    />
                  )}
                  <Button
                    type="text"
                    danger
                    icon={<DeleteOutlined />}
                    aria-label={t("forms.file.remove")}
                    title={t("forms.file.remove")}
                    data-testid={`file-${field.key}-remove`}
                    onClick={() => {
                      forget(item);
                      change((all) => all.filter((i) => i.uid !== item.uid));
                    }}
                  />
                </Space>
              )}
            </li>
          ))}
        </ul>
      )}
      {!full && !disabled && (
        <div className="bw-form-file-pick">
          <Button size="large" icon={<CameraOutlined />} disabled={off} onClick={() => open(camera.current)} data-testid={`file-${field.key}-take`}>
            {t("forms.file.takePhoto")}
          </Button>
          <Button size="large" icon={<PaperClipOutlined />} disabled={off} onClick={() => open(choose.current)} data-testid={`file-${field.key}-choose`}>
            {imagesOnly ? t("forms.file.choosePhoto") : t("forms.file.chooseFile")}
          </Button>
        </div>
      )}
      <Typography.Text type="secondary" className="bw-form-note">
        {!upload ? t("forms.file.previewOnly") : imagesOnly ? t("forms.file.hintPhotos", { max }) : t("forms.file.hintFiles", { max })}
      </Typography.Text>
    </div>
  );
}
