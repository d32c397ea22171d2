/**
 * A DING's voice note and attachment, on the recipient's card and the sender's pages: the voice
 * note as chat's voice bubble (it plays when pressed, never by itself: the card's chime is its
 * own sound), an image as its thumbnail that opens the picture, another file as chat's file card.
 */
import { FileCard } from "../chat/Media";
import { VoiceBubble } from "../chat/VoiceBubble";
import type { DingFile } from "./api";
import "../chat/chat.css";

export function DingAttachment({ file }: { file: DingFile }) {
  if (file.content_type.startsWith("image/")) {
    const scale = Math.min(1, 240 / (file.width ?? 240), 180 / (file.height ?? 180));
    return (
      <a className="bw-ding-image" href={file.url} target="_blank" rel="noreferrer" title={file.name} data-testid="ding-attachment">
        <img
          src={file.has_thumbnail ? `${file.url}/thumbnail` : file.url}
          alt={file.name}
          width={Math.round((file.width ?? 240) * scale)}
          height={Math.round((file.height ?? 180) * scale)}
        />
      </a>
    );
  }
  return (
    <div data-testid="ding-attachment">
      <FileCard file={file} href={file.url} />
    </div>
  );
}

/** The voice note as chat's bubble (play first, then the length), for sender and recipient alike. */
export function DingVoice({ file }: { file: DingFile }) {
  return (
    <div className="bw-ding-voice" data-testid="ding-voice">
      <VoiceBubble fileId={file.id} src={file.url} durationMs={file.duration_ms ?? 1000} mine={false} />
    </div>
  );
}

export function DingMedia({ voice, attachment }: { voice?: DingFile | null; attachment?: DingFile | null }) {
  if (!voice && !attachment) return null;
  return (
    <div className="bw-ding-media" data-testid="ding-media">
      {voice && <DingVoice file={voice} />}
      {attachment && <DingAttachment file={attachment} />}
    </div>
  );
}
