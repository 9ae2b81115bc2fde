/**
 * The cast of a role × request table over real signalling (caption-signalling, premiere-signalling):
 * a test server with the demo accounts, and `cast(title)` a fresh Space with a host, a co-host (a
 * saved role), a speaker brought on stage, a listener (signed in), a guest (not signed in), all
 * joined, and an outsider that has not joined. `outcome()` turns an answer into its table cell:
 * 'ok' or the error's code. `useRoleCast(env)` at a test file's top level starts the server
 * before the file and closes it after.
 */
import { afterAll, beforeAll } from 'vitest';
import type { SignallingClient } from '../../renderer/lib/signalling-client.ts';
import { DEMO_PASSWORD } from '../../server/db/seed.ts';
import { KyselyStageRecords } from '../../server/db/space-store.ts';
import type { SpaceId } from '../../server/domain/space.ts';
import { signIn, startTestServer, type TestServer } from './server-fixture.ts';
import { connectClient } from './signalling.ts';

export const ACTORS = ['host', 'cohost', 'speaker', 'listener', 'guest', 'outsider'] as const;
export type Actor = (typeof ACTORS)[number];
export type Cast = Record<Actor, SignallingClient> & { spaceId: string };

export const OK = 'ok';

/** A request's answer as a table cell: 'ok', or the typed error's code. */
export const outcome = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => OK,
    (error: { code?: string }) => error.code ?? String(error),
  );

export type RoleCast = {
  /** The server (started before the file's tests). */
  readonly server: TestServer;
  /** A client of `on` (this file's server unless given), signed in as the role's account when it has one (host, cohost, speaker, listener). */
  connect(role: string, on?: TestServer): Promise<SignallingClient>;
  /** A fresh Space with the whole cast in place. */
  cast(title: string): Promise<Cast>;
  close(cast: Cast): void;
};

export function useRoleCast(env: Record<string, string> = {}): RoleCast {
  let server: TestServer | undefined;
  let records: KyselyStageRecords;
  const tokens: Record<string, string> = {};
  const accountIds: Record<string, string> = {};
  beforeAll(async () => {
    server = await startTestServer({
      SPACECRAFT_HOST_GRACE_MS: '0',
      SPACECRAFT_IP_CONNECTIONS_PER_MINUTE: '100000',
      SPACECRAFT_IP_JOINS_PER_MINUTE: '100000',
      SPACECRAFT_STATE_INTERVAL_MS: '10',
      ...env,
    });
    records = new KyselyStageRecords(server.database.db);
    for (const [role, handle] of [['cohost', 'demo_cyd'], ['speaker', 'demo_ada'], ['listener', 'demo_bob']] as const) tokens[role] = await signIn(server.url, handle, DEMO_PASSWORD);
  });
  afterAll(async () => {
    await server?.close();
  });
  const started = (): TestServer => {
    if (!server) throw new Error('the role cast’s server is not started yet (useRoleCast at the top level, used in tests)');
    return server;
  };
  const connect = async (role: string, on = started()): Promise<SignallingClient> => {
    const client = await connectClient(on.url, role === 'host' ? { origin: on.url } : {});
    const token = role === 'host' ? on.hostToken : tokens[role];
    if (token) accountIds[role] = (await client.request('signIn', { sessionToken: token })).account.id;
    return client;
  };
  return {
    get server() {
      return started();
    },
    connect,
    async cast(title) {
      const clients = Object.fromEntries(await Promise.all(ACTORS.map(async (role) => [role, await connect(role)] as const))) as Record<Actor, SignallingClient>;
      const created = await clients.host.request('createSpace', { title });
      const spaceId = created.space.spaceId;
      await records.saveRole(spaceId as SpaceId, accountIds['cohost']!, 'cohost');
      const peerIds: Record<string, string> = {};
      for (const role of ['cohost', 'speaker', 'listener', 'guest'] as const) peerIds[role] = (await clients[role].request('joinSpace', { spaceId })).you.peerId;
      await clients.speaker.request('requestToSpeak', {});
      await clients.host.request('answerRequest', { peerId: peerIds['speaker']!, accept: true });
      return { ...clients, spaceId };
    },
    close(cast) {
      for (const role of ACTORS) cast[role].close();
    },
  };
}
