/**
 * One publisher's feed watched through Bellwork (lessons and meetings): subscribes, retries
 * while Janus is not ready for it yet, keeps each received track as its own stream, plays the
 * audio, and calls `onLost` when the connection fails (the page then joins again). The caller
 * draws the tile: `children` gets the video streams, the audio elements to put in it, and
 * whether watching failed for good.
 * Tests read the PeerConnection of each feed from `window.bwFeedPcs` (media/rtc.ts).
 */
import { useEffect, useRef, useState, type ReactNode } from "react";
import { close } from "./rtc";
import { Audio } from "./Video";

/** A publisher is listed as soon as Janus answered it, a moment before its media flows;
 * Janus refuses to subscribe until then: try again this often, this many times. */
const RETRY_MS = 700;
const RETRIES = 15;

type Props = {
  /** Whose feed (`lesson:1`, `meeting:2`): a new room or feed watches afresh. */
  room: string;
  feed: number;
  /** Bumped to watch again (after the media server restarted). */
  epoch: number;
  watch: (feed: number, onTrack: (ev: RTCTrackEvent) => void) => Promise<RTCPeerConnection>;
  /** Tells the server the feed is no longer watched (when it keeps a handle per watcher). */
  unwatch?: (feed: number) => void;
  onLost: () => void;
  children: (feed: { videos: MediaStream[]; audio: ReactNode; failed: boolean }) => ReactNode;
};

export function WatchedFeed({ room, feed, epoch, watch, unwatch, onLost, children }: Props) {
  const calls = useRef({ watch, unwatch, onLost });
  calls.current = { watch, unwatch, onLost };
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
    const attempt = async (left: number): Promise<void> => {
      try {
        const p = await calls.current.watch(feed, onTrack);
        if (gone) return close(p);
        pc = p;
        // Janus restarted or the network dropped: join again (the server opens a new room if needed).
        p.onconnectionstatechange = () => p.connectionState === "failed" && calls.current.onLost();
      } catch {
        if (gone) return;
        if (left > 0) {
          await new Promise((r) => setTimeout(r, RETRY_MS));
          if (!gone) return attempt(left - 1);
        } else setFailed(true);
      }
    };
    void attempt(RETRIES);
    return () => {
      gone = true;
      close(pc);
      calls.current.unwatch?.(feed);
    };
  }, [room, feed, epoch]);
  const videos = streams.filter((s) => s.getVideoTracks().length);
  const audios = streams.filter((s) => s.getAudioTracks().length);
  const audio = audios.map((s) => <Audio key={s.id} stream={s} />);
  return children({ videos, audio, failed });
}
