/** A call's media on the shared WebRTC helpers (features/media/rtc.ts). */
import { api, call } from "../../api/http";
import { receive, sendStream } from "../media/rtc";

export async function capture(video: boolean): Promise<MediaStream> {
  return navigator.mediaDevices.getUserMedia({ audio: true, video: video ? { width: 640, height: 480 } : false });
}

/** Sends one's camera and microphone into the call's room: the PeerConnection, the feed and the room. */
export async function publish(callId: number, stream: MediaStream): Promise<{ pc: RTCPeerConnection; feed: number; room: number }> {
  let feed = 0;
  let room = 0;
  const pc = await sendStream(stream, async (sdp) => {
    const out = await call(api.POST("/api/v1/calls/{call_id}/publish", { params: { path: { call_id: callId } }, body: { jsep: { type: "offer", sdp } } }));
    feed = out.feed;
    room = out.media_room;
    return out.jsep;
  });
  return { pc, feed, room };
}

/** Watches the other person's feed. Janus offers it only once its media flows: try again for a while. */
export async function watchOther(callId: number, onTrack: (ev: RTCTrackEvent) => void, gone: () => boolean): Promise<RTCPeerConnection | null> {
  for (let left = 20; left > 0 && !gone(); left--) {
    try {
      const out = await call(api.POST("/api/v1/calls/{call_id}/watch", { params: { path: { call_id: callId } } }));
      return await receive(out.jsep, onTrack, (sdp) =>
        call(api.POST("/api/v1/calls/{call_id}/watch/answer", { params: { path: { call_id: callId } }, body: { jsep: { type: "answer", sdp } } })),
      );
    } catch {
      await new Promise((r) => setTimeout(r, 700));
    }
  }
  return null;
}
