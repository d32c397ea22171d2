/** How a file or an image a message carries is shown: a download card, a thumbnail that opens. */
import { Image } from "antd";
import { DownloadOutlined, FileOutlined } from "@ant-design/icons";
import { useT } from "../../i18n";
import type { FileOut } from "./api";
import { fileSize } from "./text";

/** `href`: a file that is not a chat file (a DING's attachment); a chat file's own URL by default. */
export function FileCard({ file, href }: { file: Pick<FileOut, "id" | "name" | "size">; href?: string }) {
  const t = useT();
  return (
    <a className="bw-chat-file" href={href ?? `/api/v1/files/${file.id}`} download={file.name} data-testid="chat-file" title={t("chat.download")}>
      <FileOutlined style={{ fontSize: 28, color: "#1677ff" }} />
      <span className="bw-chat-file-text">
        <bdi className="bw-chat-file-name">{file.name}</bdi>
        <span className="bw-chat-file-size">{fileSize(file.size)}</span>
      </span>
      <DownloadOutlined />
    </a>
  );
}

export function ImageBox({ file, src }: { file?: FileOut; src?: string }) {
  const w = file?.width ?? 160;
  const h = file?.height ?? 120;
  const scale = Math.min(1, 200 / w, 200 / h);
  const thumb = src ?? (file ? `/api/v1/files/${file.id}/${file.has_thumbnail ? "thumbnail" : ""}`.replace(/\/$/, "") : undefined);
  return (
    <Image
      data-testid="chat-image"
      className="bw-chat-image"
      width={Math.round(w * scale)}
      height={Math.round(h * scale)}
      src={thumb}
      alt={file?.name}
      preview={file ? { src: `/api/v1/files/${file.id}` } : false}
      style={{ objectFit: "cover", borderRadius: 6 }}
    />
  );
}
