/** One publisher's feed in a lesson, watched through Bellwork (media/WatchedFeed): its video tracks (screen big, camera small) and audio. */
import { Video as SharedVideo } from "../media/Video";
import { WatchedFeed } from "../media/WatchedFeed";
import { watch } from "./rtc";

type Props = { lessonId: number; feed: number; tracks: string; name: string; epoch: number; big: boolean; onLost: () => void };

export function FeedVideo({ lessonId, feed, tracks, name, epoch, big, onLost }: Props) {
  const kinds = tracks.split(",");
  return (
    <WatchedFeed room={`lesson:${lessonId}`} feed={feed} epoch={epoch} watch={(f, onTrack) => watch(lessonId, f, onTrack)} onLost={onLost}>
      {({ videos, audio, failed }) => (
        <div className={big ? "bw-lesson-feed bw-lesson-feed-big" : "bw-lesson-feed"} data-testid="lesson-feed" data-feed={feed} data-name={name}>
          {videos.map((s, i) => (
            <Video key={s.id} stream={s} small={kinds.length > 1 && i > 0} />
          ))}
          {audio}
          <span className="bw-lesson-feed-name">
            {failed ? "⚠ " : ""}
            {name}
          </span>
        </div>
      )}
    </WatchedFeed>
  );
}

export function Video({ stream, small, muted = true }: { stream: MediaStream; small?: boolean; muted?: boolean }) {
  return <SharedVideo stream={stream} muted={muted} className={small ? "bw-lesson-pip" : "bw-lesson-video"} />;
}
