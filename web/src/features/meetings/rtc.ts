/**
 * A meeting's WebRTC through Bellwork's signalling (docs/meetings.md), on the shared
 * features/media/rtc.ts: one publisher for one's microphone and camera, made at once with both
 * turned off (transceivers with no track: nothing is captured until one turns them on, and
 * turning them on needs no new negotiation), a second one for a screen share.
 */
import { api, call } from "../../api/http";
import { ownPcs, publishWith, watchWith } from "../media/rtc";

export { close, noDevice } from "../media/rtc";

export async function publishOwn(meetingId: number): Promise<RTCPeerConnection> {
  const path = { meeting_id: meetingId };
  const pc = await publishWith(
    (p) => {
      p.addTransceiver("audio", { direction: "sendonly" });
      p.addTransceiver("video", { direction: "sendonly" });
    },
    async (sdp) => (await call(api.POST("/api/v1/meetings/{meeting_id}/publish", { params: { path }, body: { jsep: { type: "offer", sdp }, screen: false } }))).jsep,
  );
  ownPcs.add(pc);
  return pc;
}

export async function publishScreen(meetingId: number, stream: MediaStream): Promise<RTCPeerConnection> {
  const path = { meeting_id: meetingId };
  return publishWith(
    (p) => {
      for (const track of stream.getVideoTracks()) p.addTransceiver(track, { direction: "sendonly", streams: [stream] });
    },
    async (sdp) => (await call(api.POST("/api/v1/meetings/{meeting_id}/publish", { params: { path }, body: { jsep: { type: "offer", sdp }, screen: true } }))).jsep,
  );
}

/** The sender of one's own publisher for `kind`. */
export function sender(pc: RTCPeerConnection | null, kind: "audio" | "video"): RTCRtpSender | null {
  return pc?.getTransceivers().find((tr) => tr.receiver.track.kind === kind)?.sender ?? null;
}

export async function watch(meetingId: number, feed: number, onTrack: (ev: RTCTrackEvent) => void): Promise<RTCPeerConnection> {
  const path = { meeting_id: meetingId };
  return watchWith(
    feed,
    async () => (await call(api.POST("/api/v1/meetings/{meeting_id}/watch", { params: { path }, body: { feed } }))).jsep,
    (sdp) => call(api.POST("/api/v1/meetings/{meeting_id}/watch/answer", { params: { path }, body: { feed, jsep: { type: "answer", sdp } } })),
    onTrack,
  );
}

export function unwatch(meetingId: number, feed: number): void {
  void api.POST("/api/v1/meetings/{meeting_id}/unwatch", { params: { path: { meeting_id: meetingId } }, body: { feed } });
}
