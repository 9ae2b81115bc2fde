/**
 * When to try again after a connection to the server was lost: at once, then
 * after 0.5 and 1 s, then every 1.5 s, each wait shortened by up to a quarter
 * at random (jitter), so that the listeners of a Space whose server came back
 * do not all knock at the same instant. The waits never exceed 1.5 s, so that
 * a client hears the Space again within 3 s of its network (or the server)
 * returning: the join itself takes about half a second more
 * (test/e2e/reconnect.test.ts measures it). Attempts to a server that is down
 * are refused cheaply (no TCP handshake completes).
 */

/** The longest wait between two attempts. */
export const MAX_RETRY_DELAY_MS = 1500;

/** How long a listener keeps trying before saying it gave up (and offering to try again). */
export const RECONNECT_WINDOW_MS = 120_000;

/** Wait before attempt `attempt` (1 is the first, right after the drop). `random` in [0, 1). */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  if (attempt <= 1) return 0;
  const nominal = Math.min(MAX_RETRY_DELAY_MS, 500 * (attempt - 1));
  return Math.round(nominal * (1 - 0.25 * random()));
}
