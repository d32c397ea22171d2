/**
 * WebRTC through Bellwork's signalling (docs/media.md, "Signalling"), shared by lessons,
 * meetings and calls: the browser never talks to Janus's API; it sends its SDP (ICE gathering complete, no
 * trickle) to Bellwork and gets Janus's back. Each domain passes the calls of its own API.
 */
import { api, call } from "../../api/http";

type Jsep = RTCSessionDescriptionInit;

export async function iceServers(): Promise<RTCIceServer[]> {
  const r = await call(api.GET("/api/v1/media/ice"));
  return r.ice_servers.map((s) => ({ urls: s.urls, username: s.username ?? undefined, credential: s.credential ?? undefined }));
}

export function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      if (pc.iceGatheringState === "complete") {
        pc.removeEventListener("icegatheringstatechange", done);
        resolve();
      }
    };
    pc.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, 4000); // whatever was gathered by then
  });
}

/** Every live PeerConnection of this page, for tests to read `getStats` from. */
export const livePcs = new Set<RTCPeerConnection>();
/** The PeerConnection watching each feed, by feed id (tests read its `getStats`). */
export const feedPcs = new Map<number, RTCPeerConnection>();
/** The PeerConnection publishing one's own camera and microphone (tests read its `getStats`). */
export const ownPcs = new Set<RTCPeerConnection>();
Object.assign(window, { bwPcs: livePcs, bwLessonPcs: livePcs, bwFeedPcs: feedPcs, bwOwnPcs: ownPcs });

/** Publishes: `setup` adds the tracks or transceivers, `send` gives Bellwork the offer and returns Janus's answer. */
export async function publishWith(setup: (pc: RTCPeerConnection) => void, send: (offer: string) => Promise<unknown>): Promise<RTCPeerConnection> {
  const pc = new RTCPeerConnection({ iceServers: await iceServers() });
  try {
    setup(pc);
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const answer = await send(pc.localDescription!.sdp);
    await pc.setRemoteDescription(answer as Jsep);
  } catch (err) {
    pc.close();
    throw err;
  }
  livePcs.add(pc);
  return pc;
}

/** Sends `stream` (send only): `relay` takes the offer's SDP to Bellwork and gives Janus's answer. */
export function sendStream(stream: MediaStream, relay: (sdp: string) => Promise<unknown>): Promise<RTCPeerConnection> {
  return publishWith((pc) => {
    for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: "sendonly", streams: [stream] });
  }, relay);
}

/** Receives a feed: `offer` is Janus's (relayed by Bellwork); `relay` sends the answer's SDP back. */
export async function receive(offer: unknown, onTrack: (ev: RTCTrackEvent) => void, relay: (sdp: string) => Promise<unknown>): Promise<RTCPeerConnection> {
  const pc = new RTCPeerConnection({ iceServers: await iceServers() });
  pc.ontrack = onTrack;
  try {
    await pc.setRemoteDescription(offer as Jsep);
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    await relay(pc.localDescription!.sdp);
  } catch (err) {
    pc.close();
    throw err;
  }
  livePcs.add(pc);
  return pc;
}

/** Watches a feed: `offer` asks Bellwork for Janus's offer, `answer` sends ours back. */
export async function watchWith(feed: number, offer: () => Promise<unknown>, answer: (sdp: string) => Promise<unknown>, onTrack: (ev: RTCTrackEvent) => void): Promise<RTCPeerConnection> {
  const pc = await receive(await offer(), onTrack, answer);
  feedPcs.set(feed, pc);
  return pc;
}

export function close(pc: RTCPeerConnection | null | undefined): void {
  if (!pc) return;
  livePcs.delete(pc);
  ownPcs.delete(pc);
  for (const [feed, p] of feedPcs) if (p === pc) feedPcs.delete(feed);
  pc.close();
}

/** Whether a getUserMedia/getDisplayMedia failure means no permission or no device. */
export function noDevice(err: unknown): boolean {
  const name = err instanceof DOMException ? err.name : "";
  return name === "NotAllowedError" || name === "NotFoundError" || name === "NotReadableError" || name === "SecurityError";
}
