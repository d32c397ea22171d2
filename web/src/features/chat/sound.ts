/**
 * The new-message sound: a short two-note chime synthesised with WebAudio (no sound file).
 *
 * Browsers let a page make sound only after the person has interacted with it: the audio context
 * is created (or resumed) on the first click or key press, after which a hidden tab may play.
 */
let ctx: AudioContext | null = null;
let armed = false;

function context(): AudioContext | null {
  if (ctx) return ctx;
  const Ctor = typeof window === "undefined" ? undefined : (window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext);
  if (!Ctor) return null;
  try {
    ctx = new Ctor();
  } catch {
    ctx = null;
  }
  return ctx;
}

/** Lets the sound play later: on the first interaction, the audio context starts. */
export function armSound() {
  if (armed || typeof document === "undefined") return;
  armed = true;
  const unlock = () => {
    const c = context();
    if (c && c.state === "suspended") void c.resume().catch(() => undefined);
    document.removeEventListener("pointerdown", unlock, true);
    document.removeEventListener("keydown", unlock, true);
  };
  document.addEventListener("pointerdown", unlock, true);
  document.addEventListener("keydown", unlock, true);
}

/** Plays the chime (about 0.35 s); false when this browser cannot play it (yet). */
export function playChime(volume = 0.18): boolean {
  const c = context();
  if (!c) return false;
  if (c.state === "suspended") void c.resume().catch(() => undefined);
  const t0 = c.currentTime + 0.01;
  // Two soft sine notes a fifth apart (E6, B6), each with a quick attack and a decay.
  for (const [freq, at] of [
    [1318.5, 0],
    [1975.5, 0.12],
  ] as const) {
    const osc = c.createOscillator();
    const gain = c.createGain();
    osc.type = "sine";
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, t0 + at);
    gain.gain.exponentialRampToValueAtTime(volume, t0 + at + 0.015);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + at + 0.22);
    osc.connect(gain).connect(c.destination);
    osc.start(t0 + at);
    osc.stop(t0 + at + 0.24);
  }
  plays += 1;
  if (typeof document !== "undefined") document.documentElement.dataset.bwChimes = String(plays);
  return true;
}

/** How many chimes this page played (also on <html data-bw-chimes>, which browser tests read). */
let plays = 0;
export function chimesPlayed(): number {
  return plays;
}
