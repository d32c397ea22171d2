/** One participant's feed in the meeting's grid (or big, as the active speaker or a screen share), watched through Bellwork. */
import { useEffect, useRef, useState } from "react";
import { AudioMutedOutlined } from "@ant-design/icons";
import { Audio, Video } from "../media/Video";
import { close, unwatch, watch } from "./rtc";

type Props = {
  meetingId: number;
  feed: number;
  name: string;
  epoch: number;
  big?: boolean;
  hidden?: boolean;
  showVideo: boolean;
  mic: boolean;
  hardMuted: boolean;
  talking: boolean;
  onLost: () => void;
};

export function MeetingFeed({ meetingId, feed, name, epoch, big, hidden, showVideo, mic, hardMuted, talking, onLost }: Props) {
  const lost = useRef(onLost);
  lost.current = onLost;
  const [streams, setStreams] = useState<MediaStream[]>([]);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let pc: RTCPeerConnection | null = null;
    let gone = false;
    const found: MediaStream[] = [];
    const onTrack = (ev: RTCTrackEvent) => {
      found.push(new MediaStream([ev.track]));
      if (!gone) setStreams([...found]);
    };
    // A publisher is listed as soon as Janus answered it, a moment before its media flows:
    // Janus refuses to subscribe until then, so try again for a while.
    const attempt = async (left: number): Promise<void> => {
      try {
        const p = await watch(meetingId, feed, onTrack);
        if (gone) return close(p);
        pc = p;
        p.onconnectionstatechange = () => p.connectionState === "failed" && lost.current();
      } catch {
        if (gone) return;
        if (left > 0) {
          await new Promise((r) => setTimeout(r, 700));
          if (!gone) return attempt(left - 1);
        } else setFailed(true);
      }
    };
    void attempt(15);
    return () => {
      gone = true;
      close(pc);
      unwatch(meetingId, feed);
    };
  }, [meetingId, feed, epoch]);
  const video = streams.find((s) => s.getVideoTracks().length);
  const audio = streams.find((s) => s.getAudioTracks().length);
  const cls = ["bw-meeting-tile", big ? "bw-meeting-big" : "", talking ? "bw-meeting-talking" : "", hidden ? "bw-meeting-hidden" : ""].join(" ");
  return (
    <div className={cls} data-testid="meeting-feed" data-feed={feed} data-name={name} data-talking={talking ? "1" : "0"}>
      {video && showVideo ? <Video stream={video} className="bw-meeting-video" /> : <div className="bw-meeting-avatar">{name.slice(-2)}</div>}
      {audio && <Audio stream={audio} />}
      <span className="bw-meeting-name">
        {(!mic || hardMuted) && <AudioMutedOutlined style={{ color: hardMuted ? "#ff4d4f" : undefined }} />} {failed ? "⚠ " : ""}
        {name}
      </span>
    </div>
  );
}
