/** One participant's feed in the meeting's grid (or big, as the active speaker or a screen share), watched through Bellwork (media/WatchedFeed). */
import { AudioMutedOutlined } from "@ant-design/icons";
import { Video } from "../media/Video";
import { WatchedFeed } from "../media/WatchedFeed";
import { unwatch, watch } from "./rtc";

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
  const cls = ["bw-meeting-tile", big ? "bw-meeting-big" : "", talking ? "bw-meeting-talking" : "", hidden ? "bw-meeting-hidden" : ""].join(" ");
  return (
    <WatchedFeed
      room={`meeting:${meetingId}`}
      feed={feed}
      epoch={epoch}
      watch={(f, onTrack) => watch(meetingId, f, onTrack)}
      unwatch={(f) => unwatch(meetingId, f)}
      onLost={onLost}
    >
      {({ videos, audio, failed }) => (
        <div className={cls} data-testid="meeting-feed" data-feed={feed} data-name={name} data-talking={talking ? "1" : "0"}>
          {videos[0] && showVideo ? <Video stream={videos[0]} className="bw-meeting-video" /> : <div className="bw-meeting-avatar">{name.slice(-2)}</div>}
          {audio}
          <span className="bw-meeting-name">
            {(!mic || hardMuted) && <AudioMutedOutlined style={{ color: hardMuted ? "#ff4d4f" : undefined }} />} {failed ? "⚠ " : ""}
            {name}
          </span>
        </div>
      )}
    </WatchedFeed>
  );
}
