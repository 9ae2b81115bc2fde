/**
 * Issue #7 point 7: every stage message, sent by every kind of caller, over a
 * real server (real signalling, real handlers, real mediasoup, the database's
 * stage records): role × action → allowed, or the typed error.
 *
 * Each cell gets a fresh Space with the same cast: the host, a co-host (a role
 * stored for the account before it joins, as an accepted invite leaves it), a
 * speaker (asked and accepted), a signed-in listener, a guest, a listener with a
 * pending request, a listener to remove, an account that was removed (banned),
 * and a connection that never joined.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignallingClient } from '../../renderer/lib/signalling-client.ts';
import { DEMO_PASSWORD } from '../../server/db/seed.ts';
import { KyselyStageRecords } from '../../server/db/space-store.ts';
import type { SpaceId } from '../../server/domain/space.ts';
import { opusRtpParameters } from '../support/raw-peer.ts';
import { signIn, startTestServer, type TestServer } from '../support/server-fixture.ts';
import { connectClient } from '../support/signalling.ts';

const ACTORS = ['host', 'cohost', 'speaker', 'listener', 'guest', 'banned', 'outsider'] as const;
type Actor = (typeof ACTORS)[number];
type Cast = Record<Actor | 'pending' | 'target', SignallingClient> & { peerIds: Record<string, string>; spaceId: string };

type Action = {
  name: string;
  /** Done by the actor first, its failure ignored (e.g. asking before cancelling). */
  prepare?: (me: SignallingClient) => Promise<unknown>;
  run: (me: SignallingClient, cast: Cast) => Promise<unknown>;
};

const ACTIONS: Action[] = [
  { name: 'requestToSpeak', run: (me) => me.request('requestToSpeak', {}) },
  { name: 'cancelRequest', prepare: (me) => me.request('requestToSpeak', {}), run: (me) => me.request('cancelRequest', {}) },
  { name: 'answerRequest (accept)', run: (me, c) => me.request('answerRequest', { peerId: c.peerIds['pending']!, accept: true }) },
  { name: 'answerRequest (decline)', run: (me, c) => me.request('answerRequest', { peerId: c.peerIds['pending']!, accept: false }) },
  { name: 'muteSpeaker (a speaker)', run: (me, c) => me.request('muteSpeaker', { peerId: c.peerIds['speaker']!, muted: true }) },
  { name: 'muteSpeaker (a co-host)', run: (me, c) => me.request('muteSpeaker', { peerId: c.peerIds['cohost']!, muted: true }) },
  { name: 'muteSpeaker (the host)', run: (me, c) => me.request('muteSpeaker', { peerId: c.peerIds['host']!, muted: true }) },
  { name: 'moveToListener (a speaker)', run: (me, c) => me.request('moveToListener', { peerId: c.peerIds['speaker']! }) },
  { name: 'moveToListener (a co-host)', run: (me, c) => me.request('moveToListener', { peerId: c.peerIds['cohost']! }) },
  { name: 'leaveStage', run: (me) => me.request('leaveStage', {}) },
  { name: 'removeFromSpace (a listener)', run: (me, c) => me.request('removeFromSpace', { peerId: c.peerIds['target']! }) },
  { name: 'removeFromSpace (a co-host)', run: (me, c) => me.request('removeFromSpace', { peerId: c.peerIds['cohost']! }) },
  { name: 'removeFromSpace (the host)', run: (me, c) => me.request('removeFromSpace', { peerId: c.peerIds['host']! }) },
  { name: 'react', run: (me) => me.request('react', { emoji: '👏' }) },
  { name: 'setMuted (unmute self)', run: (me) => me.request('setMuted', { muted: false }) },
  { name: 'createTransport (send)', run: (me) => me.request('createTransport', { direction: 'send' }) },
  {
    name: 'produce',
    run: async (me) => {
      const transport = await me.request('createTransport', { direction: 'send' });
      return me.request('produce', { transportId: transport.id, kind: 'audio', rtpParameters: opusRtpParameters() });
    },
  },
  { name: 'endSpace', run: (me) => me.request('endSpace', {}) },
  { name: 'joinSpace', run: (me, c) => me.request('joinSpace', { spaceId: c.spaceId }) },
];

const OK = 'ok';
const DENIED = 'PERMISSION_DENIED';
const NOT_IN = 'INVALID_STATE';
/** What each actor gets for each action: 'ok' or the error code. Banned and outsider are not in the Space. */
const TABLE: Record<string, Record<Actor, string>> = {
  requestToSpeak: { host: DENIED, cohost: DENIED, speaker: DENIED, listener: OK, guest: DENIED, banned: NOT_IN, outsider: NOT_IN },
  cancelRequest: { host: DENIED, cohost: DENIED, speaker: DENIED, listener: OK, guest: DENIED, banned: NOT_IN, outsider: NOT_IN },
  'answerRequest (accept)': { host: OK, cohost: OK, speaker: DENIED, listener: DENIED, guest: DENIED, banned: NOT_IN, outsider: NOT_IN },
  'answerRequest (decline)': { host: OK, cohost: OK, speaker: DENIED, listener: DENIED, guest: DENIED, banned: NOT_IN, outsider: NOT_IN },
  'muteSpeaker (a speaker)': { host: OK, cohost: OK, speaker: DENIED, listener: DENIED, guest: DENIED, banned: NOT_IN, outsider: NOT_IN },
  'muteSpeaker (a co-host)': { host: OK, cohost: DENIED, speaker: DENIED, listener: DENIED, guest: DENIED, banned: NOT_IN, outsider: NOT_IN },
  'muteSpeaker (the host)': { host: DENIED, cohost: DENIED, speaker: DENIED, listener: DENIED, guest: DENIED, banned: NOT_IN, outsider: NOT_IN },
  'moveToListener (a speaker)': { host: OK, cohost: OK, speaker: DENIED, listener: DENIED, guest: DENIED, banned: NOT_IN, outsider: NOT_IN },
  'moveToListener (a co-host)': { host: OK, cohost: DENIED, speaker: DENIED, listener: DENIED, guest: DENIED, banned: NOT_IN, outsider: NOT_IN },
  leaveStage: { host: DENIED, cohost: OK, speaker: OK, listener: DENIED, guest: DENIED, banned: NOT_IN, outsider: NOT_IN },
  'removeFromSpace (a listener)': { host: OK, cohost: OK, speaker: DENIED, listener: DENIED, guest: DENIED, banned: NOT_IN, outsider: NOT_IN },
  'removeFromSpace (a co-host)': { host: OK, cohost: DENIED, speaker: DENIED, listener: DENIED, guest: DENIED, banned: NOT_IN, outsider: NOT_IN },
  'removeFromSpace (the host)': { host: DENIED, cohost: DENIED, speaker: DENIED, listener: DENIED, guest: DENIED, banned: NOT_IN, outsider: NOT_IN },
  react: { host: DENIED, cohost: DENIED, speaker: OK, listener: OK, guest: DENIED, banned: NOT_IN, outsider: NOT_IN },
  'setMuted (unmute self)': { host: OK, cohost: OK, speaker: OK, listener: DENIED, guest: DENIED, banned: NOT_IN, outsider: NOT_IN },
  'createTransport (send)': { host: OK, cohost: OK, speaker: OK, listener: DENIED, guest: DENIED, banned: NOT_IN, outsider: NOT_IN },
  produce: { host: OK, cohost: OK, speaker: OK, listener: DENIED, guest: DENIED, banned: NOT_IN, outsider: NOT_IN },
  endSpace: { host: OK, cohost: DENIED, speaker: DENIED, listener: DENIED, guest: DENIED, banned: NOT_IN, outsider: NOT_IN },
  // Everyone in the Space is in it already; the removed account may not come back; a stranger may join.
  joinSpace: { host: NOT_IN, cohost: NOT_IN, speaker: NOT_IN, listener: NOT_IN, guest: NOT_IN, banned: DENIED, outsider: OK },
};

let server: TestServer;
let tokens: Record<string, string>;
let accountIds: Record<string, string>;
let records: KyselyStageRecords;

beforeAll(async () => {
  server = await startTestServer({ SPACECRAFT_HOST_GRACE_MS: '0', SPACECRAFT_IP_CONNECTIONS_PER_MINUTE: '100000', SPACECRAFT_IP_JOINS_PER_MINUTE: '100000', SPACECRAFT_STATE_INTERVAL_MS: '10' });
  records = new KyselyStageRecords(server.database.db);
  tokens = { host: server.hostToken };
  for (const [role, handle] of [['cohost', 'demo_cyd'], ['speaker', 'demo_ada'], ['listener', 'demo_bob']] as const) tokens[role] = await signIn(server.url, handle, DEMO_PASSWORD);
  for (const role of ['pending', 'target', 'banned']) {
    const response = await fetch(`${server.url}/api/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ handle: `authz_${role}`, displayName: `The ${role}`, password: `${role}-password-long` }),
    });
    expect(response.status).toBe(201);
    tokens[role] = ((await response.json()) as { token: string }).token;
  }
  accountIds = {};
});

afterAll(async () => {
  await server.close();
});

async function connect(role: string): Promise<SignallingClient> {
  const client = await connectClient(server.url, role === 'host' ? { origin: server.url } : {});
  const token = tokens[role];
  if (token) accountIds[role] = (await client.request('signIn', { sessionToken: token })).account.id;
  return client;
}

/** A fresh Space with the whole cast in place. */
async function cast(): Promise<Cast> {
  const clients = Object.fromEntries(
    await Promise.all(['host', 'cohost', 'speaker', 'listener', 'guest', 'pending', 'target', 'banned', 'outsider'].map(async (role) => [role, await connect(role)] as const)),
  ) as Record<Actor | 'pending' | 'target', SignallingClient>;
  const created = await clients.host.request('createSpace', { title: 'Authorization' });
  const spaceId = created.space.spaceId;
  await records.saveRole(spaceId as SpaceId, accountIds['cohost']!, 'cohost');
  const peerIds: Record<string, string> = { host: created.space.stage[0]!.peerId };
  for (const role of ['cohost', 'speaker', 'listener', 'guest', 'pending', 'target', 'banned'] as const) {
    const joined = await clients[role].request('joinSpace', { spaceId });
    peerIds[role] = joined.you.peerId;
  }
  await clients.speaker.request('requestToSpeak', {});
  await clients.host.request('answerRequest', { peerId: peerIds['speaker']!, accept: true });
  await clients.pending.request('requestToSpeak', {});
  await clients.host.request('removeFromSpace', { peerId: peerIds['banned']! });
  return { ...clients, peerIds, spaceId };
}

function close(c: Cast): void {
  for (const role of [...ACTORS, 'pending', 'target'] as const) c[role].close();
}

async function outcome(action: Action, me: SignallingClient, c: Cast): Promise<string> {
  if (action.prepare) await action.prepare(me).catch(() => undefined);
  try {
    await action.run(me, c);
    return OK;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe('role × stage action, over real signalling', () => {
  it('the table names every stage message of the protocol', async () => {
    const { stageRequests } = await import('../../server/signalling/stage-protocol.ts');
    const covered = new Set(ACTIONS.map((a) => a.name.split(' ')[0]));
    for (const method of Object.keys(stageRequests)) expect(covered).toContain(method);
    expect(Object.keys(TABLE).sort()).toEqual(ACTIONS.map((a) => a.name).sort());
  });

  for (const action of ACTIONS) {
    it(`${action.name}: ${ACTORS.map((a) => `${a} → ${TABLE[action.name]![a]}`).join(', ')}`, async () => {
      const got: Record<string, string> = {};
      for (const actor of ACTORS) {
        const c = await cast();
        try {
          got[actor] = await outcome(action, c[actor], c);
        } finally {
          close(c);
        }
      }
      expect(got).toEqual(TABLE[action.name]);
    });
  }

  it('the cast is what the table assumes', async () => {
    const c = await cast();
    try {
      const state = (await c.outsider.request('joinSpace', { spaceId: c.spaceId })).space;
      expect(state.stage.map((m) => [m.role, m.peerId])).toEqual([
        ['host', c.peerIds['host']],
        ['cohost', c.peerIds['cohost']],
        ['speaker', c.peerIds['speaker']],
      ]);
      await expect(c.banned.request('joinSpace', { spaceId: c.spaceId })).rejects.toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringMatching(/removed/) });
    } finally {
      close(c);
    }
  });
});
