/**
 * Issue 6, item 4: nothing outlives its connection.
 *
 * Each scenario drives the signalling protocol with a raw `ws` socket up to
 * step k, closes the socket at a chosen moment around request k (same tick,
 * setImmediate, 1 ms, 3 ms, after the reply; close() or terminate(); and with
 * the media worker held, so request k is surely still in flight when the close
 * arrives), waits until the server has settled, and then asks the mediasoup
 * worker itself (worker / router / transport / WebRtcServer dumps) and the HTTP
 * API what is left. A scenario that is not clean in time fails, naming its step,
 * its timing and every leftover (test/support/disconnect-scenarios.ts).
 *
 * One server per describe; a scenario that leaves something behind gets the
 * server restarted, so the next scenario starts clean and is judged alone.
 * SPACECRAFT_LEAK_SUMMARY=1 prints one line per scenario at the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { types } from 'mediasoup';
import type { RequestData } from '../../server/signalling/protocol.ts';
import {
  describeEvents,
  describeReply,
  driveAndClose,
  holdingWorker,
  keep,
  pipelineAndClose,
  settle,
  strayWebRtcTransports,
  tally,
  TIMINGS,
  type Step,
} from '../support/disconnect-scenarios.ts';
import { describeRouter, MediaLedger, type Census, type MediaEvent } from '../support/media-ledger.ts';
import { clientDtlsParameters, opusRtpParameters, RawPeer, type Reply } from '../support/raw-peer.ts';
import { startTestServer, wsUrl, type TestServer } from '../support/server-fixture.ts';

const ENV = {
  // A host that drops ends its Space at once (no grace to come back).
  SPACECRAFT_HOST_GRACE_MS: '0',
  // This file opens many connections and Spaces from one address on purpose; the limits have their own tests.
  SPACECRAFT_IP_CONNECTIONS_PER_MINUTE: '1000000',
  SPACECRAFT_IP_JOINS_PER_MINUTE: '1000000',
  SPACECRAFT_LIVE_SPACES_PER_ACCOUNT: '1000',
};
/** A host has no one ahead of it in its Space's queue. */
const HOST_TIMINGS = TIMINGS.filter((t) => t.hold !== 'space');

/** The demo creator's session token on the server under test (every host signs in with it). */
let hostToken = '';
type HostState = { spaceId?: string; transportId?: string };
const HOST_STEPS: Step<HostState>[] = [
  { method: 'signIn', send: (peer) => peer.send('signIn', { sessionToken: hostToken }) },
  {
    method: 'createSpace',
    send: (peer, s) => keep(peer.send('createSpace', { title: 'Leak test' }), (d) => (s.spaceId = d.space.spaceId)),
  },
  { method: 'createTransport', send: (peer, s) => keep(peer.send('createTransport', { direction: 'send' }), (d) => (s.transportId = d.id)) },
  { method: 'connectTransport', send: (peer, s) => peer.send('connectTransport', { transportId: s.transportId!, dtlsParameters: clientDtlsParameters() }) },
  { method: 'produce', send: (peer, s) => peer.send('produce', { transportId: s.transportId!, kind: 'audio', rtpParameters: opusRtpParameters() }) },
];

type Capabilities = RequestData<'consume'>['rtpCapabilities'];
type ListenerState = { spaceId: string; producerId: string; rtpCapabilities?: Capabilities; transportId?: string; consumerId?: string };
const LISTENER_STEPS: Step<ListenerState>[] = [
  {
    method: 'joinSpace',
    send: (peer, s) => keep(peer.send('joinSpace', { spaceId: s.spaceId }), (d) => (s.rtpCapabilities = d.routerRtpCapabilities as Capabilities)),
  },
  { method: 'createTransport', send: (peer, s) => keep(peer.send('createTransport', { direction: 'recv' }), (d) => (s.transportId = d.id)) },
  { method: 'connectTransport', send: (peer, s) => peer.send('connectTransport', { transportId: s.transportId!, dtlsParameters: clientDtlsParameters() }) },
  {
    method: 'consume',
    send: (peer, s) =>
      keep(peer.send('consume', { transportId: s.transportId!, producerId: s.producerId, rtpCapabilities: s.rtpCapabilities! }), (d) => (s.consumerId = d.consumerId)),
  },
  { method: 'resumeConsumer', send: (peer, s) => peer.send('resumeConsumer', { consumerId: s.consumerId! }) },
];

const ledger = new MediaLedger();
const diedWorkers: number[] = [];
/** One line per scenario, printed at the end when SPACECRAFT_LEAK_SUMMARY is set. */
const summary: string[] = [];

beforeAll(() => ledger.start());
afterAll(() => {
  ledger.stop();
  if (process.env['SPACECRAFT_LEAK_SUMMARY']) console.info(`disconnect-leaks summary:\n${summary.join('\n')}`);
});

/** The server of one describe block, restarted when a scenario leaves something behind. */
class ServerUnderTest {
  server!: TestServer;

  async start(): Promise<void> {
    this.server = await startTestServer(ENV);
    hostToken = this.server.hostToken;
    const worker = ledger.worker();
    worker.once('died', () => diedWorkers.push(worker.pid));
  }

  async restart(): Promise<void> {
    await this.server.close();
    await this.start();
  }

  get url(): string {
    return this.server.url;
  }

  async json(path: string): Promise<Record<string, unknown>> {
    return (await (await fetch(`${this.server.url}${path}`)).json()) as Record<string, unknown>;
  }
}

/** After a scenario: what it left, with its name, its reply and what it did at the media layer. */
function judge(name: string, left: string[], reply: string, events: MediaEvent[]): void {
  summary.push(`${left.length ? 'LEAK' : 'ok  '} ${name} | reply: ${reply} | media: ${describeEvents(events)}${left.length ? ` | left: ${left.join('; ')}` : ''}`);
  expect(left, `${name}: left behind after the connection closed (step reply: ${reply}; media events: ${describeEvents(events)})`).toEqual([]);
}

function workerIsAlive(worker: types.Worker): void {
  expect(worker.closed || worker.died, 'the worker is open').toBe(false);
  expect(() => process.kill(worker.pid, 0), 'the worker process exists').not.toThrow();
}

describe('a host that disconnects during a request leaves nothing behind', () => {
  const sut = new ServerUnderTest();
  let previous = '(start)';

  beforeAll(() => sut.start());
  afterAll(() => sut.server?.close());

  async function hostLeftovers(spaceId?: string): Promise<string[]> {
    const census = await ledger.census();
    const left = [...census.routers.map(describeRouter), ...strayWebRtcTransports(census)];
    const health = await sut.json('/health');
    if (health['liveSpaces'] !== 0) left.push(`/health says liveSpaces ${String(health['liveSpaces'])}`);
    if (spaceId) {
      const info = await sut.json(`/api/spaces/${spaceId}`);
      if (info['status'] !== 'ended') left.push(`Space ${spaceId} is ${String(info['status'] ?? JSON.stringify(info))}, not ended`);
    }
    return left;
  }

  /** Each scenario starts on a clean server; leftovers that showed up late are blamed on the scenario before. */
  async function expectCleanStart(): Promise<void> {
    const left = await hostLeftovers();
    if (left.length === 0) return;
    await sut.restart();
    expect(left, `leftovers appeared after "${previous}" had settled`).toEqual([]);
  }

  async function scenario(name: string, run: () => Promise<{ reply: string; closedAt: number; spaceId?: string }>): Promise<void> {
    await expectCleanStart();
    previous = name;
    const since = performance.now();
    const { reply, closedAt, spaceId } = await run();
    const left = await settle(ledger, () => hostLeftovers(spaceId), closedAt);
    const events = ledger.eventsSince(since);
    if (left.length) await sut.restart();
    judge(name, left, reply, events);
  }

  it('control: the whole host sequence succeeds and reaches the worker (router, transport, producer)', async () => {
    await expectCleanStart();
    const host = await RawPeer.open(wsUrl(sut.url), { origin: sut.url });
    const state: HostState = {};
    try {
      for (const step of HOST_STEPS) expect(await step.send(host, state), step.method).toMatchObject({ kind: 'ok' });
      const census = await ledger.census();
      expect(census.routers).toHaveLength(1);
      expect(census.routers[0]!.transports).toMatchObject([{ id: state.transportId, producerIds: [expect.any(String)], consumerIds: [] }]);
      // connectTransport reached the worker: our remote role `client` made its DTLS role `server`.
      expect(census.routers[0]!.transports[0]!.dump).toMatchObject({ dtlsParameters: { role: 'server' } });
      expect(census.webRtcServerTransportIds).toEqual([state.transportId]);
      expect(await sut.json('/health')).toMatchObject({ liveSpaces: 1 });
      expect(host.violations).toEqual([]);
    } finally {
      host.close();
    }
    const closedAt = performance.now();
    judge('host control, close() after the last reply', await settle(ledger, () => hostLeftovers(state.spaceId), closedAt), 'ok', []);
  });

  for (const [k, step] of HOST_STEPS.entries()) {
    for (const timing of HOST_TIMINGS) {
      const name = `host ${step.method} (step ${k + 1}/${HOST_STEPS.length}), ${timing.name}`;
      it(name, () =>
        scenario(name, async () => {
          const peer = await RawPeer.open(wsUrl(sut.url), { origin: sut.url });
          const state: HostState = {};
          const { reply, closedAt } = await driveAndClose(ledger, peer, HOST_STEPS, k, timing, state);
          return { reply, closedAt, ...(state.spaceId ? { spaceId: state.spaceId } : {}) };
        }),
      );
    }
  }

  for (const hold of [false, true]) {
    for (const end of ['close', 'terminate'] as const) {
      const name = `host signIn + createSpace + createTransport pipelined in one tick, then ${end}()${hold ? ', worker held' : ''}`;
      it(name, () =>
        scenario(name, async () => {
          const peer = await RawPeer.open(wsUrl(sut.url), { origin: sut.url });
          const state: HostState = {};
          return pipelineAndClose(ledger, peer, HOST_STEPS.slice(0, 3).map((step) => () => step.send(peer, state)), end, hold);
        }),
      );
    }
  }

  for (const hold of [false, true]) {
    const name = `30 hosts closing right after sending createSpace${hold ? ', worker held' : ''}`;
    it(`${name}: no live Space, no router`, () =>
      scenario(name, async () => {
        const hosts = await Promise.all(Array.from({ length: 30 }, () => RawPeer.open(wsUrl(sut.url), { origin: sut.url })));
        await Promise.all(hosts.map((host) => host.request('signIn', { sessionToken: hostToken })));
        const replies = await holdingWorker(ledger, hold, async () => {
          const replies = hosts.map((host) => {
            const reply = host.send('createSpace', { title: 'Hit and run' });
            host.close();
            return reply;
          });
          await Promise.all(hosts.map((h) => h.closed));
          return replies;
        });
        const closedAt = performance.now();
        return { reply: tally((await Promise.all(replies)).map(describeReply)), closedAt };
      }));
  }

  it('the worker is alive, its resource usage readable, and it holds no router, transport, producer or consumer', async () => {
    await expectCleanStart();
    const worker = ledger.worker();
    workerIsAlive(worker);
    const usage = await worker.getResourceUsage();
    expect(usage.ru_maxrss).toBeGreaterThan(0);
    const census = await ledger.census();
    expect({ routers: census.routers.map(describeRouter), webRtcServerTransports: census.webRtcServerTransportIds }).toEqual({ routers: [], webRtcServerTransports: [] });
    expect(await sut.json('/health')).toMatchObject({ status: 'ok', liveSpaces: 0 });
    expect(diedWorkers, 'no worker died during these scenarios').toEqual([]);
  });
});

describe('a listener that disconnects during a request leaves nothing behind', () => {
  const sut = new ServerUnderTest();
  let previous = '(start)';

  type HostedSpace = {
    host: RawPeer;
    spaceId: string;
    routerId: string;
    transportId: string;
    producerId: string;
    transportDump: types.WebRtcTransportDump;
  };
  let hosted: HostedSpace;

  /** A live Space whose host stays connected and publishes Opus. */
  async function hostSpace(): Promise<HostedSpace> {
    const host = await RawPeer.open(wsUrl(sut.url), { origin: sut.url });
    await host.request('signIn', { sessionToken: hostToken });
    const created = await host.request('createSpace', { title: 'Listener leak test' });
    const transport = await host.request('createTransport', { direction: 'send' });
    await host.request('connectTransport', { transportId: transport.id, dtlsParameters: clientDtlsParameters() });
    const { producerId } = await host.request('produce', { transportId: transport.id, kind: 'audio', rtpParameters: opusRtpParameters() });
    const routerId = ledger.routerOfTransport(transport.id);
    if (!routerId) throw new Error('the host transport was not seen on any router');
    const transportDump = await ledger.transport(transport.id)!.dump();
    return { host, spaceId: created.space.spaceId, routerId, transportId: transport.id, producerId, transportDump };
  }

  async function restart(): Promise<void> {
    hosted.host.close();
    await sut.restart();
    hosted = await hostSpace();
  }

  beforeAll(async () => {
    await sut.start();
    hosted = await hostSpace();
  });
  afterAll(async () => {
    hosted?.host.close();
    await sut.server?.close();
  });

  async function listenerLeftovers(): Promise<string[]> {
    const left: string[] = [];
    const census = await ledger.census();
    const router = census.routers.find((r) => r.id === hosted.routerId);
    for (const other of census.routers.filter((r) => r !== router)) left.push(`unexpected ${describeRouter(other)}`);
    if (!router) {
      left.push(`the Space's router ${hosted.routerId} is gone`);
    } else {
      for (const t of router.transports.filter((t) => t.id !== hosted.transportId)) {
        left.push(`transport ${t.id}${t.consumerIds.length ? ` with consumers ${t.consumerIds.join(', ')}` : ''}`);
      }
      const consumers = router.consumersByProducer.get(hosted.producerId) ?? [];
      if (consumers.length) left.push(`consumers of the host's producer: ${consumers.join(', ')}`);
      const hostTransport = router.transports.find((t) => t.id === hosted.transportId);
      if (!hostTransport?.dump) left.push(`the host's transport ${hosted.transportId} is gone`);
      else {
        const changed = Object.keys(hosted.transportDump).filter(
          (key) => JSON.stringify(hosted.transportDump[key as keyof types.WebRtcTransportDump]) !== JSON.stringify(hostTransport.dump![key as keyof types.WebRtcTransportDump]),
        );
        if (changed.length) left.push(`the host's transport dump changed: ${changed.join(', ')}`);
      }
    }
    left.push(...strayWebRtcTransports(census));
    const info = await sut.json(`/api/spaces/${hosted.spaceId}`);
    if (info['status'] !== 'live') left.push(`the Space is ${String(info['status'])}, not live`);
    if (info['listenerCount'] !== 0) left.push(`listenerCount ${String(info['listenerCount'])} (a ghost listener)`);
    return left;
  }

  async function expectCleanStart(): Promise<void> {
    const left = await listenerLeftovers();
    if (left.length === 0) return;
    await restart();
    expect(left, `leftovers appeared after "${previous}" had settled`).toEqual([]);
  }

  async function scenario(name: string, run: () => Promise<{ reply: string; closedAt: number }>): Promise<MediaEvent[]> {
    await expectCleanStart();
    previous = name;
    const since = performance.now();
    const { reply, closedAt } = await run();
    const left = await settle(ledger, listenerLeftovers, closedAt);
    const events = ledger.eventsSince(since);
    if (left.length) await restart();
    judge(name, left, reply, events);
    return events;
  }

  const listenerState = (): ListenerState => ({ spaceId: hosted.spaceId, producerId: hosted.producerId });
  /** The host mutes and unmutes: two Space changes that wait on the worker, ahead of the listener's request. */
  const hostIsBusy = (): Promise<Reply>[] => [hosted.host.send('setMuted', { muted: true }), hosted.host.send('setMuted', { muted: false })];

  it('control: the whole listener sequence succeeds and reaches the worker (transport, resumed consumer)', async () => {
    await expectCleanStart();
    const listener = await RawPeer.open(wsUrl(sut.url));
    const state = listenerState();
    try {
      for (const step of LISTENER_STEPS) expect(await step.send(listener, state), step.method).toMatchObject({ kind: 'ok' });
      const router = (await ledger.census()).routers.find((r) => r.id === hosted.routerId);
      expect(router?.transports.find((t) => t.id === state.transportId)).toMatchObject({ consumerIds: [state.consumerId] });
      expect(router?.consumersByProducer.get(hosted.producerId)).toEqual([state.consumerId]);
      expect(ledger.events.some((e) => e.kind === 'consumer' && e.id === state.consumerId && e.what === 'resume')).toBe(true);
      await expect.poll(async () => (await sut.json(`/api/spaces/${hosted.spaceId}`))['listenerCount']).toBe(1);
      expect(listener.violations).toEqual([]);
    } finally {
      listener.close();
    }
    const closedAt = performance.now();
    judge('listener control, close() after the last reply', await settle(ledger, listenerLeftovers, closedAt), 'ok', []);
  });

  for (const [k, step] of LISTENER_STEPS.entries()) {
    for (const timing of TIMINGS) {
      const name = `listener ${step.method} (step ${k + 1}/${LISTENER_STEPS.length}), ${timing.name}`;
      it(name, () =>
        scenario(name, async () => {
          const peer = await RawPeer.open(wsUrl(sut.url));
          return driveAndClose(ledger, peer, LISTENER_STEPS, k, timing, listenerState(), hostIsBusy);
        }),
      );
    }
  }

  for (const hold of [false, true]) {
    for (const end of ['close', 'terminate'] as const) {
      const name = `listener joinSpace + createTransport pipelined in one tick, then ${end}()${hold ? ', worker held' : ''}`;
      it(name, () =>
        scenario(name, async () => {
          const peer = await RawPeer.open(wsUrl(sut.url));
          const state = listenerState();
          return pipelineAndClose(ledger, peer, [() => LISTENER_STEPS[0]!.send(peer, state), () => LISTENER_STEPS[1]!.send(peer, state)], end, hold);
        }),
      );
    }
  }

  for (const hold of [false, true]) {
    const name = `10 listeners closing right after sending createTransport${hold ? ', worker held' : ''}`;
    it(`${name}: no transport outlives its socket`, async () => {
      const events = await scenario(name, async () => {
        const listeners = await Promise.all(Array.from({ length: 10 }, () => RawPeer.open(wsUrl(sut.url))));
        for (const listener of listeners) await listener.request('joinSpace', { spaceId: hosted.spaceId });
        const replies = await holdingWorker(ledger, hold, async () => {
          const replies = listeners.map((listener, i) => {
            const reply = listener.send('createTransport', { direction: 'recv' });
            if (i % 2 === 0) listener.close();
            else listener.terminate();
            return reply;
          });
          await Promise.all(listeners.map((l) => l.closed));
          return replies;
        });
        const closedAt = performance.now();
        return { reply: tally((await Promise.all(replies)).map(describeReply)), closedAt };
      });
      // A close frame follows the request on the wire, so the server read createTransport first: the race was real.
      expect(events.filter((e) => e.kind === 'transport' && e.what === 'new').length, 'transports the server created for the closing listeners').toBeGreaterThan(0);
    });
  }

  it('the worker is alive, its resource usage readable, and it holds exactly the host\'s router, transport and producer', async () => {
    await expectCleanStart();
    const worker = ledger.worker();
    workerIsAlive(worker);
    const usage = await worker.getResourceUsage();
    expect(usage.ru_maxrss).toBeGreaterThan(0);
    const census = await ledger.census();
    const totals = (c: Census) => ({
      routers: c.routers.map((r) => r.id),
      transports: c.routers.flatMap((r) => r.transports.map((t) => t.id)),
      producers: c.routers.flatMap((r) => r.transports.flatMap((t) => t.producerIds)),
      consumers: c.routers.flatMap((r) => r.transports.flatMap((t) => t.consumerIds)),
      webRtcServerTransports: c.webRtcServerTransportIds,
    });
    expect(totals(census)).toEqual({
      routers: [hosted.routerId],
      transports: [hosted.transportId],
      producers: [hosted.producerId],
      consumers: [],
      webRtcServerTransports: [hosted.transportId],
    });
    expect(await sut.json('/health')).toMatchObject({ status: 'ok', liveSpaces: 1 });
    // And once the host ends the Space, nothing at all.
    await hosted.host.request('endSpace', {});
    await expect.poll(async () => totals(await ledger.census())).toEqual({ routers: [], transports: [], producers: [], consumers: [], webRtcServerTransports: [] });
    expect(diedWorkers, 'no worker died during these scenarios').toEqual([]);
  });
});
