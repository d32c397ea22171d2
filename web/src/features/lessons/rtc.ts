/**
 * A lesson's WebRTC through Bellwork's signalling (docs/lessons.md), on the shared
 * features/media/rtc.ts with the lesson's own API calls.
 */
import { api, call } from "../../api/http";
import { publishWith, watchWith } from "../media/rtc";

export { close, feedPcs, iceServers, livePcs } from "../media/rtc";

export async function publish(lessonId: number, stream: MediaStream, tracks: "camera" | "screen" | "screen,camera"): Promise<RTCPeerConnection> {
  const path = { lesson_id: lessonId };
  return publishWith(
    (pc) => {
      for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: "sendonly", streams: [stream] });
    },
    async (sdp) => (await call(api.POST("/api/v1/lessons/{lesson_id}/publish", { params: { path }, body: { jsep: { type: "offer", sdp }, tracks } }))).jsep,
  );
}

export async function watch(lessonId: number, feed: number, onTrack: (ev: RTCTrackEvent) => void): Promise<RTCPeerConnection> {
  const path = { lesson_id: lessonId };
  return watchWith(
    feed,
    async () => (await call(api.POST("/api/v1/lessons/{lesson_id}/watch", { params: { path }, body: { feed } }))).jsep,
    (sdp) => call(api.POST("/api/v1/lessons/{lesson_id}/watch/answer", { params: { path }, body: { feed, jsep: { type: "answer", sdp } } })),
    onTrack,
  );
}
