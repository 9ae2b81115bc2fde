/**
 * One load-generator process holding node-datachannel listeners, driven over IPC
 * by ours.ts. Several of these share core 1: libjuice polls every socket of a
 * process on each wake-up, so its cost grows with the square of the listeners per
 * process, and splitting them keeps the generator's cost close to linear.
 */
import { NdcListener } from './ndc-listener.ts';

export type LoadgenRequest =
  | { cmd: 'grow'; count: number; wsUrl: string; spaceId: string; rtpCapabilities: unknown; concurrency: number; timeoutMs: number; publishers: number }
  | { cmd: 'shrink'; count: number }
  | { cmd: 'prune' }
  | { cmd: 'snapshot' };
export type LoadgenCommand = LoadgenRequest & { id: number };

export type GrowReply = { joined: number; failed: number; firstError?: string; startedAt: number; lastFirstRtpAt: number; perListenerMs: number[] };
/** Per listener: packets received so far on each of its streams (one per publisher), packets lost. */
export type SnapshotReply = { packets: number[][]; lost: number[]; states: Record<string, number> };

const listeners: NdcListener[] = [];
let serial = 0;

async function grow(c: Extract<LoadgenCommand, { cmd: 'grow' }>): Promise<GrowReply> {
  const batch: NdcListener[] = [];
  let failed = 0;
  let firstError: string | undefined;
  let next = 0;
  const startedAt = performance.timeOrigin + performance.now();
  const one = async () => {
    while (next < c.count) {
      next++;
      const l = new NdcListener(`ndc-${process.pid}-${serial++}`);
      batch.push(l);
      try {
        await l.join({ wsUrl: c.wsUrl, spaceId: c.spaceId, rtpCapabilities: c.rtpCapabilities, timeoutMs: c.timeoutMs, publishers: c.publishers });
      } catch (error) {
        failed++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(c.concurrency, c.count) }, one));
  listeners.push(...batch);
  const ok = batch.filter((l) => l.times.firstRtp > 0);
  return {
    joined: ok.length,
    failed,
    ...(firstError ? { firstError } : {}),
    startedAt,
    lastFirstRtpAt: performance.timeOrigin + Math.max(0, ...ok.map((l) => l.times.firstRtp)),
    perListenerMs: ok.map((l) => l.times.firstRtp - l.times.start),
  };
}

process.on('message', (c: LoadgenCommand) => {
  void (async () => {
    let result: unknown;
    if (c.cmd === 'grow') result = await grow(c);
    else if (c.cmd === 'prune') {
      // Listeners whose connection ended (on a saturated load generator): closed and forgotten, to be replaced.
      const ended = listeners.filter((l) => l.ended);
      for (const l of ended) {
        l.close();
        listeners.splice(listeners.indexOf(l), 1);
      }
      result = { removed: ended.length, count: listeners.length };
    } else if (c.cmd === 'shrink') {
      while (listeners.length > c.count) listeners.pop()!.close();
      result = { count: listeners.length };
    } else {
      const states: Record<string, number> = {};
      for (const l of listeners) states[l.state()] = (states[l.state()] ?? 0) + 1;
      result = { packets: listeners.map((l) => l.streamPackets()), lost: listeners.map((l) => l.lost), states } satisfies SnapshotReply;
    }
    process.send!({ id: c.id, result });
  })();
});
process.on('disconnect', () => {
  for (const l of listeners) l.close();
  process.exit(0);
});
process.send!({ ready: true });
