/** One publisher's feed, watched through Bellwork: its video tracks (screen big, camera small) and audio. */
import { useEffect, useRef, useState } from "react";
import { Audio, Video as SharedVideo } from "../media/Video";
import { close, watch } from "./rtc";

type Props = { lessonId: number; feed: number; tracks: string; name: string; epoch: number; big: boolean; onLost: () => void };

export function FeedVideo({ lessonId, feed, tracks, name, epoch, big, onLost }: Props) {
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
    // A publisher is listed as soon as Janus answered it, a moment before its media flows;
    // Janus refuses to subscribe until then: try again for a while.
    const attempt = async (left: number): Promise<void> => {
      try {
        const p = await watch(lessonId, feed, onTrack);
        if (gone) return close(p);
        pc = p;
        // Janus restarted or the network dropped: join again (the server opens a new room if needed).
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
    };
  }, [lessonId, feed, epoch]);
  const kinds = tracks.split(",");
  const videos = streams.filter((s) => s.getVideoTracks().length);
  const audios = streams.filter((s) => s.getAudioTracks().length);
  return (
    <div className={big ? "bw-lesson-feed bw-lesson-feed-big" : "bw-lesson-feed"} data-testid="lesson-feed" data-feed={feed} data-name={name}>
      {videos.map((s, i) => (
        <Video key={s.id} stream={s} small={kinds.length > 1 && i > 0} />
      ))}
      {audios.map((s) => (
        <Audio key={s.id} stream={s} />
      ))}
      <span className="bw-lesson-feed-name">{failed ? "⚠ " : ""}{name}</span>
    </div>
  );
}

export function Video({ stream, small, muted = true }: { stream: MediaStream; small?: boolean; muted?: boolean }) {
  return <SharedVideo stream={stream} muted={muted} className={small ? "bw-lesson-pip" : "bw-lesson-video"} />;
}
