/**
 * The studio's Stripe keys through the IPC dispatcher, with a real supervisor over a fake server
 * child (milliseconds): saved to a 0600 file atomically, the server relaunched with only the file's
 * path in its environment, only a masked key in every reply, bad input refused with a typed error
 * before anything is written, and nothing to set with a remote server. The real bundled server
 * taking the keys is test/e2e/stripe-keys.test.ts.
 */
import { EventEmitter } from 'node:events';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { IpcReply } from './contract.ts';
import { createDispatcher } from './ipc/dispatcher.ts';
import { ServerSupervisor, type ServerProcess } from './server-supervisor.ts';
import { MemorySettingsStore } from './settings/settings-store.ts';
import { StripeKeysStore } from './stripe-keys-store.ts';
import { createStudioServices } from './studio-services.ts';

const KEYS = { secretKey: 'sk_test_studiokey0123456789wxyz', webhookSecret: 'whsec_studiosecret0123456789' };
const OTHER = { secretKey: 'sk_live_otherkey0123456789abcd', webhookSecret: 'whsec_othersecret0123456789' };
const folders: string[] = [];
afterAll(() => folders.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A server child that says it listens at once (or, `refuse`, that its configuration is bad). */
function fakeChild(env: Record<string, string>, refuse: boolean): ServerProcess & { env: Record<string, string> } {
  const events = new EventEmitter<{ message: [unknown]; exit: [number | null] }>();
  let exitCode: number | null | undefined;
  const exit = (code: number | null) => {
    if (exitCode !== undefined) return;
    exitCode = code;
    setImmediate(() => events.emit('exit', code));
  };
  setImmediate(() => events.emit('message', refuse ? { type: 'failed', message: 'Invalid server configuration: SPACECRAFT_STRIPE_KEYS_FILE: …' } : { type: 'listening', url: 'http://127.0.0.1:4400', port: 4400 }));
  return {
    env,
    pid: 1,
    onMessage: (listener) => events.on('message', listener),
    onExit: (listener) => (exitCode !== undefined ? listener(exitCode) : events.once('exit', listener)),
    shutdown: () => exit(0),
    kill: () => exit(null),
  };
}

async function studio(options: { remote?: boolean; refuseRelaunch?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'spacecraft-studio-keys-'));
  folders.push(dir);
  const store = new StripeKeysStore(dir);
  const spawned: Array<{ env: Record<string, string> }> = [];
  const supervisor = new ServerSupervisor({
    spawn: (env) => {
      const child = fakeChild(env, Boolean(options.refuseRelaunch) && spawned.length > 0);
      spawned.push(child);
      return child;
    },
    port: 0,
    env: { SPACECRAFT_WORKERS: '1' },
    launchEnv: () => store.serverEnv(),
    logger: pino({ level: 'silent' }),
    healthCheck: async () => true,
  });
  await supervisor.start();
  const services = createStudioServices({ settings: new MemorySettingsStore(), supervisor, remote: options.remote ? { url: 'https://spaces.example.com' } : null, stripeKeys: store });
  const dispatch = createDispatcher(services.handlers, pino({ level: 'silent' }));
  return { dir, store, spawned, supervisor, dispatch };
}

const noSecretIn = (reply: IpcReply) => {
  const text = JSON.stringify(reply);
  for (const secret of [KEYS.secretKey, KEYS.webhookSecret, OTHER.secretKey, OTHER.webhookSecret]) expect(text).not.toContain(secret);
};

describe("the studio's Stripe keys", () => {
  it('saves the keys owner-only, restarts the server with the file path only, and answers a masked key', async () => {
    const { dir, store, spawned, supervisor, dispatch } = await studio();
    expect(await dispatch('studio:stripe:getKeys', undefined)).toEqual({ ok: true, data: { server: 'bundled', saved: null, problem: null } });
    expect(spawned[0]!.env['SPACECRAFT_STRIPE_KEYS_FILE']).toBeUndefined();

    const saved = await dispatch('studio:stripe:saveKeys', KEYS);
    expect(saved).toEqual({ ok: true, data: { server: 'bundled', saved: { secretKey: 'sk_test_…wxyz', livemode: false }, problem: null } });
    noSecretIn(saved);
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(store.path, 'utf8'))).toEqual(KEYS);
    expect(readdirSync(dir)).toEqual(['stripe-keys.json']);
    expect(spawned).toHaveLength(2);
    expect(spawned[1]!.env).toEqual({ SPACECRAFT_WORKERS: '1', SPACECRAFT_STRIPE_KEYS_FILE: store.path, SPACECRAFT_PORT: '4400' });
    expect(supervisor.status.state).toBe('running');

    const replaced = await dispatch('studio:stripe:saveKeys', OTHER);
    expect(replaced).toMatchObject({ ok: true, data: { saved: { secretKey: 'sk_live_…abcd', livemode: true } } });
    noSecretIn(replaced);
    expect(JSON.parse(readFileSync(store.path, 'utf8'))).toEqual(OTHER);
    expect(statSync(store.path).mode & 0o777).toBe(0o600);

    expect(await dispatch('studio:stripe:removeKeys', undefined)).toEqual({ ok: true, data: { server: 'bundled', saved: null, problem: null } });
    expect(store.exists()).toBe(false);
    expect(spawned.at(-1)!.env['SPACECRAFT_STRIPE_KEYS_FILE']).toBeUndefined();
    expect(await dispatch('studio:stripe:removeKeys', undefined)).toMatchObject({ ok: true });
    await supervisor.stop();
  });

  it.each([
    ['a publishable key', { ...KEYS, secretKey: 'pk_test_studiokey0123456789wxyz' }],
    ['no webhook secret', { secretKey: KEYS.secretKey }],
    ['a webhook secret without whsec_', { ...KEYS, webhookSecret: 'studiosecret0123456789' }],
    ['an extra field', { ...KEYS, note: 'x' }],
    ['a key with a newline', { ...KEYS, secretKey: `${KEYS.secretKey}\n` }],
    ['not an object', KEYS.secretKey],
  ])('refuses %s with a VALIDATION error that does not repeat it, and writes nothing', async (_what, input) => {
    const { store, spawned, supervisor, dispatch } = await studio();
    const reply = await dispatch('studio:stripe:saveKeys', input);
    expect(reply).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    noSecretIn(reply);
    expect(store.exists()).toBe(false);
    expect(spawned).toHaveLength(1);
    await supervisor.stop();
  });

  it('says what is wrong with a saved file the server would refuse (opened to other users)', async () => {
    const { store, supervisor, dispatch } = await studio();
    await dispatch('studio:stripe:saveKeys', KEYS);
    chmodSync(store.path, 0o644);
    const reply = await dispatch('studio:stripe:getKeys', undefined);
    expect(reply).toMatchObject({ ok: true, data: { saved: null, problem: expect.stringMatching(/may be read by other users \(mode 0644\)/) } });
    noSecretIn(reply);
    // Saving again makes it private again.
    expect(await dispatch('studio:stripe:saveKeys', KEYS)).toMatchObject({ ok: true, data: { saved: { secretKey: 'sk_test_…wxyz' }, problem: null } });
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
    await supervisor.stop();
  });

  it('runs changes one at a time: the last save wins', async () => {
    const { store, spawned, supervisor, dispatch } = await studio();
    const [a, b] = await Promise.all([dispatch('studio:stripe:saveKeys', KEYS), dispatch('studio:stripe:saveKeys', OTHER)]);
    expect(a).toMatchObject({ ok: true });
    expect(b).toMatchObject({ ok: true, data: { saved: { secretKey: 'sk_live_…abcd' } } });
    expect(JSON.parse(readFileSync(store.path, 'utf8'))).toEqual(OTHER);
    expect(spawned).toHaveLength(3);
    await supervisor.stop();
  });

  it('says so with a typed error when the server does not come back', async () => {
    const { supervisor, dispatch } = await studio({ refuseRelaunch: true });
    const reply = await dispatch('studio:stripe:saveKeys', KEYS);
    expect(reply).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE', message: expect.stringMatching(/keys are changed, but the server did not restart: Invalid server configuration/) } });
    noSecretIn(reply);
    await supervisor.stop();
  });

  it('has nothing to set with a remote server', async () => {
    const { store, supervisor, dispatch } = await studio({ remote: true });
    expect(await dispatch('studio:stripe:getKeys', undefined)).toEqual({ ok: true, data: { server: 'remote', saved: null, problem: null } });
    expect(await dispatch('studio:stripe:saveKeys', KEYS)).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE', message: expect.stringMatching(/remote server/) } });
    expect(await dispatch('studio:stripe:removeKeys', undefined)).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    expect(store.exists()).toBe(false);
    await supervisor.stop();
  });
});
