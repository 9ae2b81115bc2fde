/**
 * The moving parts of the disconnect-leak scenarios (test/integration/disconnect-leaks.test.ts):
 * when a socket closes around a request (TIMINGS), driving a request sequence
 * up to that moment, holding the media worker so a request is surely in
 * flight, and waiting until the server has settled.
 */
import { setImmediate as nextTurn, setTimeout as delay } from 'node:timers/promises';
import { expect } from 'vitest';
import type { Method, RequestResult } from '../../server/signalling/protocol.ts';
import type { Census, MediaEvent, MediaLedger } from './media-ledger.ts';
import type { RawPeer, Reply } from './raw-peer.ts';

/** Longest a clean server may take to settle (host grace 0, `spaceState` coalesced at ≤ 500 ms). */
export const SETTLE_DEADLINE_MS = 2_000;
/** No media object created or closed for this long after the close: the in-flight request has run its course. */
export const QUIET_MS = 150;
const POLL_MS = 15;
/** A held worker stays stopped this long after the client saw the socket close, so the server surely handles the close first. */
export const HOLD_AFTER_CLOSE_MS = 20;

/**
 * When the socket closes around request k. `hold`: the media worker is stopped
 * (SIGSTOP) from just before request k until the server has handled the close,
 * as a busy worker would be, so request k is certainly still in flight when the
 * close arrives; then it continues (SIGCONT). `'space'`: meanwhile the host also
 * mutes and unmutes, so the Space's own queue is busy with work for the worker.
 */
export type Timing = { name: string; end: 'close' | 'terminate'; wait: (reply: Promise<Reply>) => Promise<unknown> | null; hold?: 'worker' | 'space' };
export const afterReply = (reply: Promise<Reply>) => reply;
export const TIMINGS: Timing[] = [
  { name: 'close() in the same tick', end: 'close', wait: () => null },
  { name: 'close() after setImmediate', end: 'close', wait: () => nextTurn() },
  { name: 'close() after 1 ms', end: 'close', wait: () => delay(1) },
  { name: 'close() after 3 ms', end: 'close', wait: () => delay(3) },
  { name: 'close() after the reply', end: 'close', wait: afterReply },
  { name: 'terminate() in the same tick', end: 'terminate', wait: () => null },
  { name: 'terminate() after 1 ms', end: 'terminate', wait: () => delay(1) },
  { name: 'terminate() after the reply', end: 'terminate', wait: afterReply },
  { name: 'close() in the same tick, worker held', end: 'close', wait: () => null, hold: 'worker' },
  { name: 'terminate() in the same tick, worker held', end: 'terminate', wait: () => null, hold: 'worker' },
  { name: 'close() in the same tick, worker held, Space busy', end: 'close', wait: () => null, hold: 'space' },
  { name: 'terminate() in the same tick, worker held, Space busy', end: 'terminate', wait: () => null, hold: 'space' },
];

export type Step<S> = { method: Method; send: (peer: RawPeer, state: S) => Promise<Reply> };

/** Sends now; on success keeps what later steps need. */
export function keep<M extends Method>(reply: Promise<Reply<M>>, onOk: (data: RequestResult<M>) => void): Promise<Reply> {
  return reply.then((r) => {
    if (r.kind === 'ok') onOk(r.data);
    return r;
  });
}

/**
 * Runs `during` (which closes sockets) with the media worker stopped, as a busy
 * worker would be: every media request the server makes meanwhile stays in
 * flight. The worker continues once the server has surely handled the closes.
 * Without `hold`, just runs `during`.
 */
export async function holdingWorker<T>(ledger: MediaLedger, hold: boolean, during: () => Promise<T>): Promise<T> {
  if (!hold) return during();
  const { pid } = ledger.worker();
  process.kill(pid, 'SIGSTOP');
  try {
    const result = await during();
    for (let turn = 0; turn < 3; turn++) await nextTurn();
    await delay(HOLD_AFTER_CLOSE_MS);
    return result;
  } finally {
    process.kill(pid, 'SIGCONT');
  }
}

/**
 * Request k in flight (or answered), then the socket closes at the timing's
 * moment. `busy` sends another peer's requests while the worker is held
 * (timing `hold: 'space'`), so the Space's own work is in flight too.
 */
export async function driveAndClose<S>(
  ledger: MediaLedger,
  peer: RawPeer,
  steps: Step<S>[],
  k: number,
  timing: Timing,
  state: S,
  busy: () => Promise<Reply>[] = () => [],
): Promise<{ reply: string; closedAt: number }> {
  for (const step of steps.slice(0, k)) {
    expect(await step.send(peer, state), `${step.method}, before the step under test`).toMatchObject({ kind: 'ok' });
  }
  const { pending, others } = await holdingWorker(ledger, timing.hold !== undefined, async () => {
    const others = timing.hold === 'space' ? busy() : [];
    const pending = steps[k]!.send(peer, state);
    const wait = timing.wait(pending);
    if (wait) await wait;
    if (timing.end === 'close') peer.close();
    else peer.terminate();
    await peer.closed;
    return { pending, others };
  });
  const closedAt = performance.now();
  const reply = await pending;
  for (const other of await Promise.all(others)) expect(other, `${other.method} sent by another peer while the worker was held`).toMatchObject({ kind: 'ok' });
  if (timing.wait === afterReply) expect(reply, `${steps[k]!.method} before the close`).toMatchObject({ kind: 'ok' });
  return { reply: describeReply(reply), closedAt };
}

/**
 * The first requests of a sequence that need no earlier result, sent in one
 * tick without waiting for replies, then the socket closes (worker held or not).
 */
export async function pipelineAndClose(
  ledger: MediaLedger,
  peer: RawPeer,
  sends: (() => Promise<Reply>)[],
  end: Timing['end'],
  hold: boolean,
): Promise<{ reply: string; closedAt: number }> {
  const pending = await holdingWorker(ledger, hold, async () => {
    const pending = sends.map((send) => send());
    if (end === 'close') peer.close();
    else peer.terminate();
    await peer.closed;
    return pending;
  });
  const closedAt = performance.now();
  return { reply: (await Promise.all(pending)).map(describeReply).join(' + '), closedAt };
}

/** Polls until nothing is left and the media layer has been quiet for QUIET_MS, or the deadline passes; returns what is left. */
export async function settle(ledger: MediaLedger, leftovers: () => Promise<string[]>, closedAt: number): Promise<string[]> {
  const deadline = performance.now() + SETTLE_DEADLINE_MS;
  for (;;) {
    const found = await leftovers();
    const quietFor = performance.now() - Math.max(closedAt, ledger.lastEventAt);
    if (found.length === 0 && quietFor >= QUIET_MS) return [];
    if (performance.now() >= deadline) return found.length ? found : [`(media objects still changing ${Math.round(quietFor)} ms before the deadline)`];
    await delay(POLL_MS);
  }
}

export function describeReply(reply: Reply): string {
  return reply.kind === 'error' ? `error ${reply.error.code}` : reply.kind;
}

/** `closed ×28, ok ×2` */
export function tally(items: string[]): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return [...counts].map(([item, n]) => `${item} ×${n}`).join(', ');
}

export function describeEvents(events: MediaEvent[]): string {
  const shown = events.slice(0, 24).map((e) => `${e.what} ${e.kind} ${e.id}`);
  if (events.length > shown.length) shown.push(`… ${events.length - shown.length} more`);
  return shown.length ? shown.join(', ') : 'none';
}

/** Router, transports, WebRtcServer transports not under any router. */
export function strayWebRtcTransports(census: Census): string[] {
  const underRouters = new Set(census.routers.flatMap((r) => r.transports.map((t) => t.id)));
  return census.webRtcServerTransportIds.filter((id) => !underRouters.has(id)).map((id) => `WebRtcServer still serves transport ${id}`);
}
