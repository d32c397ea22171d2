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

function stored(key: string): string | null {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

function store(key: string, value: string | null): void {
  try {
    if (value === null) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, value);
  } catch {
    // no storage: a reload cannot rejoin by itself (the page offers "Join here")
  }
}

/**
 * This tab's id: which of one's devices answered (the others stop ringing). Kept for the tab
 * (sessionStorage), so that a reload is still the device that answered.
 */
export const DEVICE: string = (() => {
  const kept = stored("bw-call-device");
  if (kept) return kept;
  const made = typeof crypto !== "undefined" && "randomUUID" in crypto ? crypto.randomUUID() : `d${Math.random().toString(36).slice(2)}`;
  store("bw-call-device", made);
  return made;
})();

/** The call this tab sends and receives media for (a reload rejoins it by itself). */
export function callHere(): number | null {
  const v = stored("bw-call-here");
  return v ? Number(v) : null;
}

export function setCallHere(id: number | null): void {
  store("bw-call-here", id === null ? null : String(id));
}

/** mm:ss (h:mm:ss past an hour) of a call's time. */
export function callTime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const two = (n: number) => String(n).padStart(2, "0");
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${two(m)}:${two(s % 60)}`;
}
