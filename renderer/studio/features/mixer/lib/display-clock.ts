/**
 * One animation-frame loop for everything the mixer draws live (meters, the
 * waveform's play head, the limiter readout), ticking at most `DISPLAY_HZ`
 * times a second: the worklets report at 30 Hz, so drawing at a 60 Hz (or
 * 120 Hz) display rate would only repaint the same values. The loop runs only
 * while something listens.
 */
export const DISPLAY_HZ = 30;
/** A frame may come this early and still tick (frames jitter around the display's period). */
const SLACK_MS = 4;

type Tick = (now: number) => void;

const ticks = new Set<Tick>();
let frame = 0;
let last = Number.NEGATIVE_INFINITY;

function loop(now: number): void {
  frame = 0;
  const period = 1000 / DISPLAY_HZ;
  if (now - last >= period - SLACK_MS) {
    // On the 30 Hz grid on average whatever the display's period; after a stall, no burst of catch-up ticks.
    last = now - last < 2 * period ? last + period : now;
    for (const tick of [...ticks]) {
      // One failing drawer does not stop the others, nor the loop.
      try {
        tick(now);
      } catch (error) {
        reportError(error);
      }
    }
  }
  if (ticks.size > 0 && frame === 0) frame = requestAnimationFrame(loop);
}

/** Calls `tick` on the shared display loop until the returned function is called. */
export function onDisplayTick(tick: Tick): () => void {
  ticks.add(tick);
  if (frame === 0) frame = requestAnimationFrame(loop);
  return () => {
    ticks.delete(tick);
    if (ticks.size === 0 && frame !== 0) {
      cancelAnimationFrame(frame);
      frame = 0;
    }
  };
}
