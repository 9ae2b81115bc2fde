/**
 * One Space across nodes (issue #12), on one machine: an origin, two relays and two edges as
 * separate server processes on loopback, sharing a throwaway PostgreSQL and Redis. A host on the
 * origin publishes a tone; the origin mixes the stage into the program stream, which relays and
 * edges carry; listeners (real WebRTC peers in Node) get their edge from the join endpoint and hear
 * the tone on every edge. Then the faults: a relay killed with SIGKILL (the edges
 * it fed re-attach to the standby, the listeners' streams go on), an edge killed (its listeners
 * re-join through the join endpoint onto the other edge), and the origin killed (the Space ends
 * for everyone, with its reason). The tests run in order on one cluster.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { types } from 'mediasoup-client';
import { DEMO_CREATOR, DEMO_PASSWORD } from '../../server/db/seed.ts';
import { askToJoin, joinThrough, startCluster, type TestCluster } from '../support/cluster.ts';
import { signIn } from '../support/server-fixture.ts';
import { nextNotification } from '../support/signalling.ts';
import { WrtcStagePeer, type Meter } from '../support/wrtc-stage-peer.ts';

const TONE_HZ = 600;
/** A −12 dBFS-peak sine is about −15 dBFS RMS; anything above this is clearly the tone. */
const HEARD_DBFS = -30;
/** Longest a listener may stay cut when a relay dies: the heartbeat TTL (2 s), a heartbeat, the new pipe, with margin for a loaded machine. */
const RELAY_FAILOVER_BOUND_MS = 15_000;

let cluster: TestCluster;
let host: WrtcStagePeer;
let spaceId: string;
let hostProducerId: string;
/** The Space's program stream (the stage mixed on the origin): what relays and edges carry. */
let programProducerId: string;
let hostToken: string;
const peers: WrtcStagePeer[] = [];

type Listener = { peer: WrtcStagePeer; edge: string; meter: Meter };

/** Listens through the join endpoint of `via` (any node): the edge it was sent to, and a meter of what it hears. */
async function listen(via: string): Promise<Listener> {
  const { url, ticket } = await joinThrough(via, spaceId);
  const peer = await WrtcStagePeer.connect(url);
  peers.push(peer);
  const joined = await peer.signalling.request('joinSpace', { spaceId, ticket });
  await peer.load(joined.routerRtpCapabilities as types.RtpCapabilities);
  const producerId = joined.space.hostProducerId ?? (await nextNotification(peer.signalling, 'spaceState', (s) => s.hostProducerId !== null)).hostProducerId!;
  // One stream per listener however many speak: the host's seat carries the program, no other seat a producer.
  expect(producerId).toBe(programProducerId);
  expect(joined.space.stage.filter((m) => m.producerId !== null)).toHaveLength(1);
  const meter = await peer.listen(producerId);
  return { peer, edge: cluster.nodes.find((n) => n.url === url)!.nodeId, meter };
}

/** Waits until the listener hears the tone; the time it took. */
async function untilHeard(listener: Listener, withinMs: number): Promise<number> {
  const start = Date.now();
  let last = -150;
  while (Date.now() - start < withinMs) {
    const heard = await listener.meter.measure(250, TONE_HZ);
    last = heard.toneDbfs;
    if (heard.toneDbfs > HEARD_DBFS) return Date.now() - start;
  }
  throw new Error(`not heard within ${withinMs} ms (last ${last.toFixed(1)} dBFS)`);
}

/** Waits until the listener's tone is gone (its feed was cut). */
async function untilSilent(listener: Listener, withinMs: number): Promise<void> {
  const start = Date.now();
  while (Date.now() - start < withinMs) {
    if ((await listener.meter.measure(100, TONE_HZ)).toneDbfs < HEARD_DBFS) return;
  }
  throw new Error(`still heard ${withinMs} ms after the cut`);
}

beforeAll(async () => {
  cluster = await startCluster({ env: { SPACECRAFT_EDGE_JOINS_PER_SECOND: '4', SPACECRAFT_WORKER_JOINS_PER_SECOND: '4', SPACECRAFT_IP_JOINS_PER_MINUTE: '100000' } });
  const origin = cluster.node('origin');
  const token = (hostToken = await signIn(origin.url, DEMO_CREATOR.handle, DEMO_PASSWORD));
  host = await WrtcStagePeer.connect(origin.url, { sessionToken: token, origin: origin.url });
  peers.push(host);
  const created = await host.signalling.request('createSpace', { title: 'Cluster test' });
  spaceId = created.space.spaceId;
  await host.load(created.routerRtpCapabilities);
  hostProducerId = await host.publishTone(TONE_HZ);
  await host.signalling.request('setMuted', { muted: false });
  programProducerId = (await cluster.published(spaceId, { program: true }))!;
  expect(programProducerId).not.toBe(hostProducerId);
}, 120_000);

afterAll(async () => {
  for (const peer of peers.splice(0)) peer.close();
  await cluster?.stop();
}, 60_000);

describe('one Space across nodes', { timeout: 120_000 }, () => {
  const listeners: Listener[] = [];

  it('listeners sent by the join endpoint hear the host on every edge, and are counted on the origin', async () => {
    // The endpoint is stateless: ask a relay, an edge and the origin alike.
    const vias = ['relay-1', 'edge-2', 'origin', 'relay-2', 'edge-1', 'origin'];
    for (const via of vias) {
      listeners.push(await listen(cluster.node(via).url));
      if (new Set(listeners.map((l) => l.edge)).size === 2 && listeners.length >= 2) break;
    }
    expect(new Set(listeners.map((l) => l.edge))).toEqual(new Set(['edge-1', 'edge-2']));
    for (const listener of listeners) await untilHeard(listener, 10_000);
    // Each edge writes its count every ~2 s (never per join); the origin adds them up into the state it publishes.
    await expect.poll(() => cluster.listenerCount(spaceId), { timeout: 15_000 }).toBeGreaterThanOrEqual(listeners.length);
  });

  it('refuses a forged, expired or misdirected ticket at the edge', async () => {
    const { url, ticket } = await joinThrough(cluster.node('origin').url, spaceId);
    const peer = await WrtcStagePeer.connect(url);
    peers.push(peer);
    await expect(peer.signalling.request('joinSpace', { spaceId, ticket: `${ticket}x` })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    const other = cluster.nodes.find((n) => n.role === 'edge' && n.url !== url)!;
    const elsewhere = await WrtcStagePeer.connect(other.url);
    peers.push(elsewhere);
    await expect(elsewhere.signalling.request('joinSpace', { spaceId, ticket })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    // An edge hosts nothing.
    await expect(peer.signalling.request('createSpace', { title: 'Not here' })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    // The endpoint checks what it is asked.
    const bad = await fetch(`${cluster.node('relay-1').url}/api/spaces/${'x'.repeat(65)}/join`, { method: 'POST' });
    expect(bad.status).toBe(400);
    const unknown = await fetch(`${cluster.node('relay-1').url}/api/spaces/noSuchSpace/join`, { method: 'POST' });
    expect(unknown.status).toBe(404);
  });

  it('a join storm against a small admission budget: everyone is told to wait, nobody fails, and every listener gets in', async () => {
    const storm = 24;
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: storm }, () => joinThrough(cluster.node('relay-2').url, spaceId)));
    const seconds = (Date.now() - started) / 1000;
    expect(answers.length).toBe(storm);
    // Two edges at 4 joins a second each (bursts of 4): 24 joins cannot all pass at once.
    expect(answers.some((a) => a.waits > 0)).toBe(true);
    // …and never faster than the buckets allow: 2 edges × (4 burst + 4/s).
    expect(storm).toBeLessThanOrEqual(2 * (4 + 4 * seconds) + 1);
    // Every ticket joins its edge.
    for (const answer of answers) {
      const peer = await WrtcStagePeer.connect(answer.url);
      peers.push(peer);
      const joined = await peer.signalling.request('joinSpace', { spaceId, ticket: answer.ticket });
      expect(joined.space.status).toBe('live');
      peer.signalling.close();
    }
  });

  it('a scheduled Space warms its tree as it starts: every relay and edge carries it before anyone joins', async () => {
    const origin = cluster.node('origin');
    const scheduled = await fetch(`${origin.url}/api/spaces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${hostToken}` },
      body: JSON.stringify({ title: 'Scheduled', startsAt: new Date(Date.now() + 3_600_000).toISOString(), timeZone: 'UTC' }),
    });
    expect(scheduled.status).toBe(201);
    const { id } = (await scheduled.json()) as { id: string };
    const studio = await WrtcStagePeer.connect(origin.url, { sessionToken: hostToken, origin: origin.url });
    peers.push(studio);
    const started = await studio.signalling.request('createSpace', { title: 'Scheduled', scheduledSpaceId: id });
    expect(started.space.spaceId).toBe(id);
    // Nobody joins it: still every node takes it on within a few heartbeats.
    for (const node of ['relay-1', 'relay-2', 'edge-1', 'edge-2']) {
      await expect.poll(async () => (await cluster.beat(node))?.carrying ?? [], { timeout: 15_000 }).toContain(id);
    }
    await studio.signalling.request('endSpace', {});
    // …and lets it go once it ends (so no node reports a feed for it: the next test picks its relay by what feeds the live Space).
    for (const node of ['relay-1', 'relay-2', 'edge-1', 'edge-2']) {
      await expect.poll(async () => (await cluster.beat(node))?.carrying ?? [], { timeout: 15_000 }).not.toContain(id);
    }
  });

  it('a relay killed with SIGKILL: the edges it fed re-attach to the standby and their listeners hear the host again', async () => {
    for (const listener of listeners) await untilHeard(listener, 10_000);
    // The relay feeding the first listener's edge (edges take the least busy relay, so it may feed both).
    const [victim] = await cluster.upstreams(listeners[0]!.edge);
    expect(victim).toMatch(/^relay-/);
    const standby = victim === 'relay-1' ? 'relay-2' : 'relay-1';
    const affected: Listener[] = [];
    for (const l of listeners) if ((await cluster.upstreams(l.edge)).includes(victim!)) affected.push(l);
    const killedAt = Date.now();
    await cluster.kill(victim!);
    // Their audio stops (the relay is gone), then comes back through the standby.
    const times = await Promise.all(
      affected.map(async (l) => {
        await untilSilent(l, 5000);
        await untilHeard(l, RELAY_FAILOVER_BOUND_MS);
        return Date.now() - killedAt;
      }),
    );
    console.info(`relay failover: listeners hear the host again ${times.map((t) => `${t} ms`).join(', ')} after the kill (node TTL 2000 ms, heartbeat 500 ms)`);
    expect(Math.max(...times)).toBeLessThan(RELAY_FAILOVER_BOUND_MS);
    // The listeners kept their connection and their consumer: the edge re-attached underneath them.
    await expect.poll(() => cluster.upstreams(listeners[0]!.edge), { timeout: 5000 }).toEqual([standby]);
  });

  it('an edge killed with SIGKILL: its listeners re-join through the join endpoint onto the other edge', async () => {
    const victim = listeners[0]!.edge;
    await cluster.kill(victim);
    const cut = listeners.filter((l) => l.edge === victim);
    for (const listener of cut) listener.peer.close();
    const start = Date.now();
    for (let i = 0; i < cut.length; i++) {
      let rejoined: Listener | null = null;
      while (!rejoined && Date.now() - start < 30_000) {
        rejoined = await listen(cluster.node('origin').url).catch(async () => {
          await new Promise((resolve) => setTimeout(resolve, 300));
          return null;
        });
      }
      expect(rejoined?.edge).toBeDefined();
      expect(rejoined!.edge).not.toBe(victim);
      await untilHeard(rejoined!, 10_000);
    }
    console.info(`edge failover: listeners back on another edge ${Date.now() - start} ms after the kill`);
  });

  it('the origin killed: the Space ends on every edge, with its reason', async () => {
    const edge = cluster.nodes.find((n) => n.role === 'edge' && n.child.exitCode === null && n.child.signalCode === null)!;
    // The killed edge's heartbeat lasts its TTL: until then the endpoint may still send someone there.
    let answer = await joinThrough(cluster.node('origin').url, spaceId);
    while (answer.url !== edge.url) answer = await joinThrough(cluster.node('origin').url, spaceId);
    const { url, ticket } = answer;
    const peer = await WrtcStagePeer.connect(url);
    peers.push(peer);
    await peer.signalling.request('joinSpace', { spaceId, ticket });
    const ended = nextNotification(peer.signalling, 'spaceEnded');
    await cluster.kill('origin');
    expect(await ended).toMatchObject({ spaceId, reason: 'server-shutdown' });
    // And the join endpoint says so to anyone who asks.
    await expect(askToJoin(edge.url, spaceId)).rejects.toThrow(/404|410/);
  });
});
