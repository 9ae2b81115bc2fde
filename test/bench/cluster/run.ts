/**
 * `npm run bench:cluster` — one Space across nodes (issue #12), measured in one run on one machine:
 *
 *   pipe     what a pipe costs the origin's worker: CPU with 0, 10, 20, 40 downstream pipes of the
 *            host's Opus stream (SRTP + RTX), each pipe to a stand-in downstream node of this process
 *            that speaks the real pipe signalling over Redis and receives into its own mediasoup router.
 *   joins    the join endpoint and admission: N asks spread over every node's endpoint, with the
 *            admission budget on (tokens per edge and per worker a second); then M listeners joining
 *            all the way (ask, wait as told, open the edge's socket, joinSpace with the ticket).
 *   failover a relay killed with SIGKILL, R times (restarted between): how long the listener of the
 *            edge it fed hears nothing, detection (heartbeat TTL) included.
 *
 * Prints tables; asserts nothing about time. Options: --pipes 0,10,20,40 --asks 2000 --joins 300
 * --budget 50 --failovers 3 --ttl 2000 --heartbeat 500 --only pipe,joins,failover
 */
import { parseArgs } from 'node:util';
import * as mediasoup from 'mediasoup';
import { pino } from 'pino';
import { ClusterBus } from '../../../server/cluster/cluster-bus.ts';
import { endOf, pipedProducerSchema, pipeEndSchema, pipeTransportOptions } from '../../../server/cluster/pipe-wire.ts';
import { DEMO_CREATOR, DEMO_PASSWORD } from '../../../server/db/seed.ts';
import { AUDIO_CODECS } from '../../../server/media/worker-pool.ts';
import { askToJoin, joinThrough, startCluster, type TestCluster } from '../../support/cluster.ts';
import { summarize } from '../../support/percentiles.ts';
import { signIn } from '../../support/server-fixture.ts';
import { WrtcStagePeer, type Meter } from '../../support/wrtc-stage-peer.ts';
import { childPids, commandName, cpuNs } from '../capacity/proc.ts';
import { runBench } from '../run-bench.ts';

const { values: args } = parseArgs({
  options: {
    pipes: { type: 'string', default: '0,10,20,40' },
    asks: { type: 'string', default: '2000' },
    joins: { type: 'string', default: '300' },
    budget: { type: 'string', default: '50' },
    failovers: { type: 'string', default: '3' },
    ttl: { type: 'string', default: '2000' },
    heartbeat: { type: 'string', default: '500' },
    only: { type: 'string', default: 'pipe,joins,failover' },
  },
});
const only = new Set(args.only.split(','));
const TONE_HZ = 600;
const HEARD_DBFS = -30;
const WINDOW_MS = 5000;

const cleanups: Array<() => unknown> = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fmt = (n: number, digits = 1) => n.toFixed(digits);

async function main(): Promise<void> {
  const budget = Number(args.budget);
  const cluster = await startCluster({
    env: {
      SPACECRAFT_NODE_TTL_MS: args.ttl,
      SPACECRAFT_NODE_HEARTBEAT_MS: args.heartbeat,
      SPACECRAFT_EDGE_JOINS_PER_SECOND: String(budget),
      SPACECRAFT_WORKER_JOINS_PER_SECOND: String(budget),
      SPACECRAFT_IP_JOINS_PER_MINUTE: '1000000',
      SPACECRAFT_IP_CONNECTIONS_PER_MINUTE: '1000000',
      SPACECRAFT_EDGE_LISTENERS: '100000',
    },
  });
  cleanups.push(() => cluster.stop());
  const origin = cluster.node('origin');
  const host = await WrtcStagePeer.connect(origin.url, { sessionToken: await signIn(origin.url, DEMO_CREATOR.handle, DEMO_PASSWORD), origin: origin.url });
  cleanups.push(() => host.close());
  const created = await host.signalling.request('createSpace', { title: 'Cluster bench' });
  const spaceId = created.space.spaceId;
  await host.load(created.routerRtpCapabilities);
  await host.publishTone(TONE_HZ);
  await host.signalling.request('setMuted', { muted: false });
  // What relays and edges carry: the program stream (the stage mixed on the origin).
  const producerId = await cluster.published(spaceId, { program: true });
  if (!producerId) throw new Error('the origin published no program stream');
  console.log(`cluster: origin, relay-1, relay-2, edge-1, edge-2 (one worker each), Redis, PostgreSQL; load average ${loadAverage()}`);
  if (only.has('pipe')) await pipeCost(cluster, spaceId, producerId);
  if (only.has('joins')) await joinRate(cluster, spaceId, budget);
  if (only.has('failover')) await failover(cluster, spaceId, producerId);
  console.log(`\nload average at the end ${loadAverage()}`);
}

function loadAverage(): string {
  return (process.getBuiltinModule('node:os').loadavg()[0] ?? 0).toFixed(1);
}

function workerPid(nodePid: number): number {
  const pid = childPids(nodePid).find((p) => commandName(p).startsWith('mediasoup-work'));
  if (!pid) throw new Error(`no mediasoup worker under ${nodePid}`);
  return pid;
}

/** CPU of `pid` over a window, in % of one core. */
async function cpuPercent(pid: number, ms = WINDOW_MS): Promise<number> {
  const before = cpuNs(pid);
  const start = process.hrtime.bigint();
  await sleep(ms);
  return ((cpuNs(pid) - before) / Number(process.hrtime.bigint() - start)) * 100;
}

async function pipeCost(cluster: TestCluster, spaceId: string, producerId: string): Promise<void> {
  const steps = args.pipes.split(',').map(Number);
  const originWorker = workerPid(cluster.node('origin').child.pid!);
  const worker = await mediasoup.createWorker({ logLevel: 'warn' });
  cleanups.push(() => worker.close());
  const router = await worker.createRouter({ mediaCodecs: AUDIO_CODECS });
  const logger = pino({ level: 'silent' });
  type Down = { bus: ClusterBus; transport: mediasoup.types.PipeTransport; producer: mediasoup.types.Producer };
  const downs: Down[] = [];
  const beat = setInterval(() => {
    for (const d of downs) void d.bus.beat({ nodeId: d.bus.nodeId, role: 'relay', url: 'http://bench.invalid', listeners: 0, capacity: 0, workers: 1, spaces: 1, upstreams: ['origin'], at: Date.now() }, Number(args.ttl) * 5);
  }, 500);
  cleanups.push(() => clearInterval(beat));
  cleanups.push(() => downs.forEach((d) => d.bus.close()));
  const rows: Array<{ pipes: number; cpu: number; received: number }> = [];
  for (const target of steps) {
    while (downs.length < target) {
      const bus = await ClusterBus.connect(cluster.redis.url, `bench-down-${downs.length}`, logger);
      await bus.beat({ nodeId: bus.nodeId, role: 'relay', url: 'http://bench.invalid', listeners: 0, capacity: 0, workers: 1, spaces: 1, upstreams: ['origin'], at: Date.now() }, Number(args.ttl) * 5);
      const transport = await router.createPipeTransport(pipeTransportOptions({ ip: '127.0.0.1', announcedAddress: undefined }));
      const remote = pipeEndSchema.parse(await bus.call('origin', 'openPipe', { spaceId, ...endOf(transport) }));
      await transport.connect(remote);
      const params = pipedProducerSchema.parse(await bus.call('origin', 'pipeProducer', { spaceId, producerId }));
      const producer = await transport.produce({ kind: 'audio', rtpParameters: params.rtpParameters, paused: false });
      downs.push({ bus, transport, producer });
    }
    await sleep(1000);
    const bytesBefore = await receivedBytes(downs);
    const cpu = await cpuPercent(originWorker);
    const received = (await receivedBytes(downs)) - bytesBefore;
    rows.push({ pipes: target, cpu, received });
  }
  const base = rows[0]!;
  const last = rows[rows.length - 1]!;
  const perPipe = last.pipes > base.pipes ? (last.cpu - base.cpu) / (last.pipes - base.pipes) : 0;
  console.log('\n## Cost of a pipe (origin worker; the program stream, Opus, SRTP + RTX, 50 packets/s)');
  console.log('pipes  origin worker CPU %  bytes received by all pipes in the window');
  for (const r of rows) console.log(`${String(r.pipes).padStart(5)}  ${fmt(r.cpu).padStart(19)}  ${String(r.received).padStart(10)}`);
  console.log(`per pipe: ${fmt(perPipe, 3)} % of a core (fit from ${base.pipes} to ${last.pipes} pipes)`);
  console.log(`ratio to a WebRTC listener (0.039 – 0.046 % of a core each, test/bench/capacity/README.md): a pipe ≈ ${fmt(perPipe / 0.0425, 2)} listeners`);
}

async function receivedBytes(downs: Array<{ producer: mediasoup.types.Producer }>): Promise<number> {
  let total = 0;
  for (const d of downs) for (const s of await d.producer.getStats()) total += s.byteCount;
  return total;
}

async function joinRate(cluster: TestCluster, spaceId: string, budget: number): Promise<void> {
  const urls = cluster.nodes.map((n) => n.url);
  const asks = Number(args.asks);
  let admitted = 0;
  let waits = 0;
  const latencies: number[] = [];
  let next = 0;
  const start = Date.now();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < asks) {
        const url = urls[next++ % urls.length]!;
        const t0 = performance.now();
        const answer = await askToJoin(url, spaceId);
        latencies.push(performance.now() - t0);
        if (answer.kind === 'admitted') admitted++;
        else waits++;
      }
    }),
  );
  const seconds = (Date.now() - start) / 1000;
  const lat = summarize(latencies);
  const allowed = 2 * budget;
  console.log(`\n## Join endpoint with admission on (2 edges × ${budget} joins/s per edge and per worker, 32 asks in flight over all 5 nodes)`);
  console.log(`asks ${asks} in ${fmt(seconds, 2)} s: ${fmt(asks / seconds, 0)} answered/s; admitted ${admitted} (${fmt(admitted / seconds, 0)}/s, budget ${allowed}/s + bursts), told to wait ${waits}`);
  console.log(`answer time ms: p50 ${fmt(lat.p50)} p95 ${fmt(lat.p95)} max ${fmt(lat.max)}`);
  console.log(`ratio admitted ÷ budget: ${fmt(admitted / seconds / allowed, 2)}`);

  await sleep(2000);
  const joins = Number(args.joins);
  const joinStart = Date.now();
  const waited: number[] = [];
  const done: number[] = [];
  let i = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (i < joins) {
        const url = urls[i++ % urls.length]!;
        const t0 = Date.now();
        const answer = await joinThrough(url, spaceId, 120_000);
        waited.push(answer.waits);
        const socket = new WebSocket(`${answer.url.replace(/^http/, 'ws')}/ws`);
        await new Promise((resolve, reject) => {
          socket.onopen = resolve;
          socket.onerror = () => reject(new Error('socket'));
        });
        const reply = await new Promise<{ ok: boolean }>((resolve) => {
          socket.onmessage = (event) => {
            const message = JSON.parse(String(event.data)) as { id?: number; ok: boolean };
            if (message.id === 1) resolve(message);
          };
          socket.send(JSON.stringify({ id: 1, method: 'joinSpace', data: { spaceId, ticket: answer.ticket } }));
        });
        if (!reply.ok) throw new Error('joinSpace refused');
        done.push(Date.now() - t0);
        cleanups.push(() => socket.close());
      }
    }),
  );
  const joinSeconds = (Date.now() - joinStart) / 1000;
  const d = summarize(done);
  console.log(`\n## ${joins} listeners joining all the way (ask → wait as told → edge socket → joinSpace with the ticket), 32 at a time`);
  console.log(`all in after ${fmt(joinSeconds, 2)} s: ${fmt(joins / joinSeconds, 0)} joins/s (budget ${allowed}/s); waits told per listener: mean ${fmt(waited.reduce((a, b) => a + b, 0) / joins, 2)}, max ${Math.max(...waited)}`);
  console.log(`one listener's join ms: p50 ${fmt(d.p50, 0)} p95 ${fmt(d.p95, 0)} max ${fmt(d.max, 0)}`);
}

async function failover(cluster: TestCluster, spaceId: string, producerId: string): Promise<void> {
  const rounds = Number(args.failovers);
  const cuts: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const { url, ticket } = await joinThrough(cluster.node('origin').url, spaceId);
    const peer = await WrtcStagePeer.connect(url);
    cleanups.push(() => peer.close());
    const joined = await peer.signalling.request('joinSpace', { spaceId, ticket });
    await peer.load(joined.routerRtpCapabilities);
    const meter = await peer.listen(joined.space.hostProducerId ?? producerId);
    await until(meter, 'heard', 10_000);
    const edge = cluster.nodes.find((n) => n.url === url)!.nodeId;
    // The edge names its upstream in its next heartbeat.
    let [relay] = await cluster.upstreams(edge);
    for (let tries = 0; !relay && tries < 20; tries++) {
      await sleep(250);
      [relay] = await cluster.upstreams(edge);
    }
    if (!relay?.startsWith('relay-')) throw new Error(`edge ${edge} is fed by ${relay}, not a relay`);
    const killedAt = Date.now();
    await cluster.kill(relay);
    await until(meter, 'silent', 5000);
    await until(meter, 'heard', 30_000);
    cuts.push(Date.now() - killedAt);
    peer.close();
    cluster.nodes.splice(cluster.nodes.findIndex((n) => n.nodeId === relay), 1);
    await cluster.start('relay', relay);
    await sleep(Number(args.ttl));
  }
  const s = summarize(cuts);
  console.log(`\n## Relay failover (SIGKILL; node TTL ${args.ttl} ms, heartbeat ${args.heartbeat} ms), ${rounds} rounds`);
  console.log(`listener cut, kill → heard again, ms: ${cuts.join(', ')} (p50 ${fmt(s.p50, 0)}, max ${fmt(s.max, 0)})`);
  console.log(`ratio cut ÷ TTL: p50 ${fmt(s.p50 / Number(args.ttl), 2)}, max ${fmt(s.max / Number(args.ttl), 2)}`);
}

async function until(meter: Meter, what: 'heard' | 'silent', withinMs: number): Promise<void> {
  const start = Date.now();
  while (Date.now() - start < withinMs) {
    const level = (await meter.measure(100, TONE_HZ)).toneDbfs;
    if (what === 'heard' ? level > HEARD_DBFS : level < HEARD_DBFS) return;
  }
  throw new Error(`not ${what} within ${withinMs} ms`);
}

await runBench(main, 15 * 60_000, cleanups);
