/**
 * A person's photo (头像) where the web client shows a person: the photo when they have one,
 * the name's first letter otherwise (and while it loads, or if it cannot). `PhotoEditor` lets
 * the person (我的) or their admin/head (the person's card) set, replace or remove it.
 */
import { useRef } from "react";
import { App, Avatar, Button, Popconfirm, Space, Typography } from "antd";
import { CameraOutlined, DeleteOutlined } from "@ant-design/icons";
import { useT } from "../../i18n";
import { MAX_PHOTO_BYTES, PHOTO_TYPES, photoProblem, photoSrc, usePhotoMutations } from "./photo";

const LIMIT_MB = MAX_PHOTO_BYTES / 1024 / 1024;

export function PersonAvatar({
  name,
  photoUrl,
  size = 40,
  active = true,
  testId,
}: {
  name: string;
  photoUrl?: string | null;
  size?: number;
  active?: boolean;
  testId?: string;
}) {
  const src = photoSrc(photoUrl, size);
  return (
    <Avatar
      size={size}
      src={src}
      alt={name}
      draggable={false}
      style={{ background: active ? "#1677ff" : "#bbb", fontSize: Math.round(size * 0.43), flex: "none" }}
      data-testid={testId}
      data-photo={src ? "yes" : "no"}
    >
      {name.slice(0, 1)}
    </Avatar>
  );
}

export function PhotoEditor({
  personId,
  name,
  photoUrl,
  size = 56,
  active = true,
}: {
  personId: number;
  name: string;
  photoUrl?: string | null;
  size?: number;
  active?: boolean;
}) {
  const t = useT();
  const { message } = App.useApp();
  const input = useRef<HTMLInputElement>(null);
  const { set, remove } = usePhotoMutations(personId);

  const chosen = (file: File | undefined) => {
    if (input.current) input.current.value = "";
    if (!file) return;
    const problem = photoProblem(file);
    if (problem) {
      void message.error(t(problem, { limit: LIMIT_MB }));
      return;
    }
    set.mutate(file, { onSuccess: () => void message.success(t("photo.saved")) });
  };

  return (
    <div style={{ display: "flex", gap: 12, alignItems: "center" }} data-testid="photo-editor">
      <button
        type="button"
        className="bw-photo-pick"
        onClick={() => input.current?.click()}
        aria-label={photoUrl ? t("photo.change") : t("photo.add")}
        style={{ border: 0, padding: 0, background: "none", cursor: "pointer", borderRadius: "50%" }}
      >
        <PersonAvatar name={name} photoUrl={photoUrl} size={size} active={active} testId="photo-avatar" />
      </button>
      <input
        ref={input}
        type="file"
        accept={PHOTO_TYPES.join(",")}
        hidden
        onChange={(e) => chosen(e.target.files?.[0])}
        data-testid="photo-input"
      />
      <div style={{ minWidth: 0 }}>
        <Space size={0} wrap>
          <Button size="small" type="link" icon={<CameraOutlined />} loading={set.isPending} onClick={() => input.current?.click()} data-testid="photo-change">
            {photoUrl ? t("photo.change") : t("photo.add")}
          </Button>
          {photoUrl && (
            <Popconfirm
              title={t("photo.removeConfirm")}
              okText={t("common.confirm")}
              cancelText={t("common.cancel")}
              onConfirm={() => remove.mutate(undefined, { onSuccess: () => void message.success(t("photo.removed")) })}
            >
              <Button size="small" type="link" danger icon={<DeleteOutlined />} loading={remove.isPending} data-testid="photo-remove">
                {t("photo.remove")}
              </Button>
            </Popconfirm>
          )}
        </Space>
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: "0 0 0 7px" }}>
          {t("photo.hint", { limit: LIMIT_MB })}
        </Typography.Paragraph>
      </div>
    </div>
  );
}
