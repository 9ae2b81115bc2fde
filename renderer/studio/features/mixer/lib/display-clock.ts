/**
 * One animation-frame loop for everything the mixer draws live (meters, the
 * waveform's play head, the readouts), ticking `DISPLAY_HZ` times a second:
 * the worklets report at 30 Hz, so drawing at a 60 Hz (or 120 Hz) display
 * rate would only repaint the same values.
 *
 * The loop asks for a frame only when a tick is due: between ticks it waits on
 * a timer, so the page makes 30 frames a second, not one per display refresh
 * (a frame asked for and left unchanged still costs the renderer its
 * scheduling, style and commit: about half its drawing time here). The tick
 * itself runs in the animation frame, in step with the display, and stops with
 * it when the window is hidden. It runs only while something listens.
 *
 * Every tick carries its number: readouts that change at 10 Hz (`isTextTick`)
 * all change on the same frame, so text is laid out and painted 10 times a
 * second, not on every frame at staggered phases.
 */
export const DISPLAY_HZ = 30;
/** Text (numeric readouts, aria values, React readouts) changes on every this many ticks: 10 Hz. */
export const TEXT_EVERY_TICKS = 3;
/** A frame may come this early and still tick (frames jitter around the display's period). */
const SLACK_MS = 4;

type Tick = (now: number, tick: number) => void;

const ticks = new Set<Tick>();
let frame = 0;
let timer: ReturnType<typeof setTimeout> | null = null;
let last = Number.NEGATIVE_INFINITY;
let count = 0;

/** Whether tick number `tick` is one where the 10 Hz readouts change (the same ticks for everyone). */
export function isTextTick(tick: number): boolean {
  return tick % TEXT_EVERY_TICKS === 0;
}

function loop(now: number): void {
  frame = 0;
  const period = 1000 / DISPLAY_HZ;
  if (now - last >= period - SLACK_MS) {
    // On the 30 Hz grid on average whatever the display's period; after a stall, no burst of catch-up ticks.
    last = now - last < 2 * period ? last + period : now;
    const tick = count++;
    for (const each of [...ticks]) {
      // One failing drawer does not stop the others, nor the loop.
      try {
        each(now, tick);
      } catch (error) {
        reportError(error);
      }
    }
  }
  schedule();
}

/** Asks for the frame of the next tick: at once if it is due, else after a timer that ends when it is. */
function schedule(): void {
  if (ticks.size === 0 || frame !== 0 || timer !== null) return;
  // The frame comes at the first display refresh after the request, so a request when the tick is due gets a
  // frame time at or just after it (the SLACK_MS the loop allows covers a frame begun just before the request).
  const wait = last + 1000 / DISPLAY_HZ - performance.now();
  if (wait <= 1) {
    frame = requestAnimationFrame(loop);
    return;
  }
  timer = setTimeout(() => {
    timer = null;
    if (ticks.size > 0 && frame === 0) frame = requestAnimationFrame(loop);
  }, wait);
}

/** Calls `tick(now, tickNumber)` on the shared display loop until the returned function is called. */
export function onDisplayTick(tick: Tick): () => void {
  ticks.add(tick);
  schedule();
  return () => {
    ticks.delete(tick);
    if (ticks.size > 0) return;
    if (frame !== 0) cancelAnimationFrame(frame);
    if (timer !== null) clearTimeout(timer);
    frame = 0;
    timer = null;
  };
}
