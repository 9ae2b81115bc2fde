/**
 * One Space over every worker of a node: a real server with two mediasoup workers, the host
 * publishing a tone from a real WebRTC peer (libwebrtc in Node), and listeners whose receiving
 * transports the server places on the least-loaded worker. Listeners on the other worker than
 * the host's router hear the host through `pipeToRouter` (measured), the placement alternates,
 * and a listener leaving frees its place for the next one.
 */
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server-fixture.ts';
import { WrtcStagePeer } from '../support/wrtc-stage-peer.ts';

const TONE_HZ = 600;
const HEARD_DBFS = -30;

let server: TestServer;
const peers: WrtcStagePeer[] = [];
/** Worker pid of every WebRtcTransport, by transport id; the pipe producers made. */
const transportWorker = new Map<string, number>();
const pipeProducers: types.Producer[] = [];
const webRtcTransports = new Map<string, types.Transport>();
const onWorker = (worker: types.Worker) =>
  worker.observer.on('newrouter', (router) =>
    router.observer.on('newtransport', (transport) => {
      if (transport.type === 'webrtc') {
        transportWorker.set(transport.id, worker.pid);
        webRtcTransports.set(transport.id, transport);
      }
      transport.observer.on('newproducer', (producer) => {
        if (transport.type === 'pipe') pipeProducers.push(producer);
      });
    }),
  );

beforeEach(async () => {
  mediasoup.observer.on('newworker', onWorker);
  server = await startTestServer({ SPACECRAFT_WORKERS: '2', SPACECRAFT_HOST_GRACE_MS: '0', SPACECRAFT_STATE_INTERVAL_MS: '50' });
});

afterEach(async () => {
  mediasoup.observer.off('newworker', onWorker);
  for (const peer of peers.splice(0)) peer.close();
  transportWorker.clear();
  webRtcTransports.clear();
  pipeProducers.length = 0;
  await server.close();
});

async function peer(sessionToken?: string, origin?: string): Promise<WrtcStagePeer> {
  const p = await WrtcStagePeer.connect(server.url, { ...(sessionToken ? { sessionToken } : {}), ...(origin ? { origin } : {}) });
  peers.push(p);
  return p;
}

describe('a Space across the workers of a node', { timeout: 90_000 }, () => {
  it("places listeners on both workers, and those on the other worker hear the host through a pipe", async () => {
    const host = await peer(server.hostToken, server.url);
    const created = await host.signalling.request('createSpace', { title: 'Across workers' });
    await host.load(created.routerRtpCapabilities);
    const hostProducerId = await host.publishTone(TONE_HZ);
    const hostWorker = [...transportWorker.values()][0]!;

    const listeners: WrtcStagePeer[] = [];
    const meters = [];
    for (let i = 0; i < 4; i++) {
      const listener = await peer();
      await listener.join(created.space.spaceId);
      const before = new Set(transportWorker.keys());
      meters.push(await listener.listen(hostProducerId));
      listeners.push(listener);
      // Its receiving transport is the one transport made since.
      expect([...transportWorker.keys()].filter((id) => !before.has(id))).toHaveLength(1);
    }
    const listenerWorkers = [...transportWorker.values()].slice(1);
    // Least-loaded placement alternates between the two workers.
    expect(new Set(listenerWorkers).size).toBe(2);
    expect(listenerWorkers.filter((pid) => pid !== hostWorker)).toHaveLength(2);
    // One pipe of the host's producer to the other worker, shared by both listeners there.
    expect(pipeProducers.map((p) => p.id)).toEqual([hostProducerId]);

    for (const [i, meter] of meters.entries()) {
      await expect.poll(async () => (await meter.measure(500, TONE_HZ)).toneDbfs, { timeout: 15_000, interval: 0 }).toBeGreaterThan(HEARD_DBFS);
      const heard = await meter.measure(800, TONE_HZ);
      console.info(`listener ${i} on ${listenerWorkers[i] === hostWorker ? "the host's worker" : 'the other worker'}: tone ${heard.toneDbfs.toFixed(1)} dBFS`);
      expect(heard.rmsDbfs - heard.toneDbfs).toBeLessThan(1);
    }

    // A listener on the other worker leaves: its place there is free, and the next listener takes it.
    const leaving = listeners[listenerWorkers.findIndex((pid) => pid !== hostWorker)]!;
    // Its connection closing closes its transport on the server (the leave goes through the Space's queue).
    const leavingTransports = transportWorker.size;
    leaving.close();
    const leavingIndex = listenerWorkers.findIndex((pid) => pid !== hostWorker);
    const leavingTransport = webRtcTransports.get([...transportWorker.keys()][leavingIndex + 1]!)!;
    await expect.poll(() => leavingTransport.closed, { timeout: 10_000 }).toBe(true);
    const next = await peer();
    await next.join(created.space.spaceId);
    await next.listen(hostProducerId);
    expect(transportWorker.size).toBe(leavingTransports + 1);
    expect([...transportWorker.values()].at(-1)).not.toBe(hostWorker);

    // The host's producer closing closes its pipe on the other worker too.
    await host.signalling.request('endSpace', {});
    await expect.poll(() => pipeProducers.every((p) => p.closed), { timeout: 5000 }).toBe(true);
  });
});
