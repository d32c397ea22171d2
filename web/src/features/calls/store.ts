/**
 * Starting a call from anywhere (a person's card, a direct chat's header, a call note in the
 * chat): the one CallHost of the page (features/calls/CallHost.tsx) places it and shows it.
 */
type Start = (personId: number, video: boolean) => void;
let host: Start | null = null;

export function setCallHost(start: Start | null): void {
  host = start;
}

export function startCall(personId: number, video: boolean): void {
  host?.(personId, video);
}

/** This page's id: which of one's devices answered (the others stop ringing). */
export const DEVICE = typeof crypto !== "undefined" && "randomUUID" in crypto ? crypto.randomUUID() : `d${Math.random().toString(36).slice(2)}`;

/** mm:ss (h:mm:ss past an hour) of a call's time. */
export function callTime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const two = (n: number) => String(n).padStart(2, "0");
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${two(m)}:${two(s % 60)}`;
}
