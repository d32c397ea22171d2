/**
 * The ringtone of an incoming call (and the ringback the caller hears): a two-tone ring
 * synthesised with WebAudio every two seconds, until stopped. Browsers play it once the person
 * has interacted with the page; the overlay shows the call either way.
 */
let ctx: AudioContext | null = null;

function context(): AudioContext | null {
  if (ctx) return ctx;
  const Ctor = typeof window === "undefined" ? undefined : window.AudioContext;
  if (!Ctor) return null;
  try {
    ctx = new Ctor();
  } catch {
    ctx = null;
  }
  return ctx;
}

function ring(c: AudioContext, incoming: boolean): void {
  const t0 = c.currentTime;
  const tones = incoming ? [880, 660, 880, 660] : [440, 440];
  tones.forEach((f, i) => {
    const osc = c.createOscillator();
    const gain = c.createGain();
    osc.frequency.value = f;
    gain.gain.setValueAtTime(0.0001, t0 + i * 0.2);
    gain.gain.exponentialRampToValueAtTime(incoming ? 0.15 : 0.06, t0 + i * 0.2 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + i * 0.2 + 0.18);
    osc.connect(gain).connect(c.destination);
    osc.start(t0 + i * 0.2);
    osc.stop(t0 + i * 0.2 + 0.2);
  });
}

/** Starts ringing; the returned function stops it. */
export function startRinging(incoming: boolean): () => void {
  const c = context();
  if (!c) return () => undefined;
  if (c.state === "suspended") void c.resume().catch(() => undefined);
  ring(c, incoming);
  const timer = window.setInterval(() => ring(c, incoming), 2000);
  return () => window.clearInterval(timer);
}
