/**
 * The studio's supervisor with the real server as a forked child: healthy
 * start, restart on the same URL after the server is killed, giving up on a
 * crash loop, a clear failure on bad configuration, and a clean stop; no
 * secret in the server's or its mediasoup worker's environment, a host's
 * password and session token never in the log, and the log rotated by size.
 */
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket as WsClient } from 'ws';
import type { ServerStatus } from '../../electron/contract.ts';
import { fork } from 'node:child_process';
import { forkServer, SERVER_ENTRY } from '../../electron/fork-server.ts';
import { DEMO_CREATOR, DEMO_PASSWORD } from '../../server/db/seed.ts';
import { signIn } from '../support/server-fixture.ts';
import type { LogRotation } from '../../electron/server-child.ts';
import { ServerSupervisor } from '../../electron/server-supervisor.ts';
import { processAlive } from '../support/processes.ts';

const running: ServerSupervisor[] = [];

function supervisor(options: { env?: Record<string, string>; maxRestarts?: number; rotation?: LogRotation } = {}) {
  const logFile = join(mkdtempSync(join(tmpdir(), 'spacecraft-supervisor-')), 'server.log');
  const s = new ServerSupervisor({
    spawn: forkServer({ logFile, ...(options.rotation ? { rotation: options.rotation } : {}) }),
    port: 0,
    env: { SPACECRAFT_WORKERS: '1', SPACECRAFT_LOG_LEVEL: 'info', SPACECRAFT_DATA_DIR: 'memory://', ...options.env },
    logger: pino({ level: 'silent' }),
    ...(options.maxRestarts !== undefined ? { maxRestarts: options.maxRestarts } : {}),
  });
  running.push(s);
  return { s, logFile };
}

/** The process's children (any thread's), from /proc. */
function childrenOf(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
    readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
  );
}

const environ = (pid: number) => readFileSync(`/proc/${pid}/environ`, 'utf8');

afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

describe('server supervisor', { timeout: 180_000 }, () => {
  it('starts the server, waits for health, and collects its log into a file', async () => {
    const { s, logFile } = supervisor();
    const status = await s.start();
    expect(status).toMatchObject({ state: 'running', restarts: 0 });
    expect(await (await fetch(`${status.url}/health`)).json()).toMatchObject({ status: 'ok' });
    expect(s.connection()).toEqual({ url: status.url });
    await expect.poll(() => readFileSync(logFile, 'utf8')).toContain('server listening');
  });

  it('restarts a killed server on the same URL', async () => {
    const { s } = supervisor();
    const first = await s.start();
    const pid = s.pid!;
    const seen: ServerStatus['state'][] = [];
    s.onStatus((status) => seen.push(status.state));
    process.kill(pid, 'SIGKILL');
    await expect.poll(() => seen, { timeout: 60_000 }).toContain('running');
    expect(seen).toEqual(['restarting', 'running']);
    expect(s.status).toMatchObject({ url: first.url, restarts: 1 });
    expect(s.pid).not.toBe(pid);
    expect(await (await fetch(`${first.url}/health`)).json()).toMatchObject({ status: 'ok' });
  });

  it('gives up on a crash loop and says so', async () => {
    const { s } = supervisor({ maxRestarts: 1 });
    await s.start();
    const seen: ServerStatus['state'][] = [];
    s.onStatus((status) => seen.push(status.state));
    process.kill(s.pid!, 'SIGKILL');
    await expect.poll(() => seen, { timeout: 60_000 }).toContain('running');
    process.kill(s.pid!, 'SIGKILL');
    await expect.poll(() => s.status.state, { timeout: 60_000 }).toBe('failed');
    expect(s.status.message).toMatch(/keeps stopping/);
  });

  it('reports a server that cannot start, with the reason', async () => {
    const { s } = supervisor({ env: { SPACECRAFT_WORKERS: 'zero' } });
    await expect(s.start()).rejects.toThrow(/SPACECRAFT_WORKERS/);
    expect(s.status.state).toBe('failed');
  });

  it('stops the server on quit', async () => {
    const { s } = supervisor();
    await s.start();
    const pid = s.pid!;
    await s.stop();
    expect(s.status.state).toBe('stopped');
    await expect.poll(() => processAlive(pid)).toBe(false);
  });

  it('hosts by account on the supervised server, with no secret in the environment of the server and its mediasoup worker, and none in the log', async () => {
    const { s, logFile } = supervisor({ env: { SPACECRAFT_LOG_LEVEL: 'trace', SPACECRAFT_DEMO_DATA: 'true' } });
    const status = await s.start();
    const server = s.pid!;
    const workers = childrenOf(server).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('mediasoup-worker'));
    expect(workers).toHaveLength(1);
    for (const pid of [server, ...workers]) {
      expect(environ(pid)).toContain('SPACECRAFT_WORKERS=1');
      expect(environ(pid)).not.toMatch(/TOKEN|SECRET|PASSWORD/i);
    }
    // The demo creator signs in over HTTP, then signs the socket in and starts a Space.
    const sessionToken = await signIn(status.url!, DEMO_CREATOR.handle, DEMO_PASSWORD);
    const socket = new WsClient(`${status.url!.replace('http', 'ws')}/ws`, { origin: new URL(status.url!).origin });
    await once(socket, 'open');
    const replies: Array<{ id: number; ok: boolean }> = [];
    socket.on('message', (frame) => replies.push(JSON.parse(String(frame)) as { id: number; ok: boolean }));
    socket.send(JSON.stringify({ id: 1, method: 'signIn', data: { sessionToken } }));
    socket.send(JSON.stringify({ id: 2, method: 'createSpace', data: { title: 'Account check' } }));
    await expect.poll(() => replies.filter((r) => r.id === 2)).toHaveLength(1);
    socket.close();
    expect(replies.find((r) => r.id === 1)).toMatchObject({ ok: true });
    expect(replies.find((r) => r.id === 2)).toMatchObject({ ok: true });
    await expect.poll(() => readFileSync(logFile, 'utf8')).toContain('demo accounts ready');
    const log = readFileSync(logFile, 'utf8');
    expect(log).not.toContain(sessionToken);
    expect(log).not.toContain(DEMO_PASSWORD);
  });

  it('rotates server.log by size and keeps only maxFiles old files', async () => {
    const { s, logFile } = supervisor({ env: { SPACECRAFT_LOG_LEVEL: 'debug' }, rotation: { maxSize: '300B', maxFiles: 1 } });
    await s.start();
    for (let restart = 1; restart <= 4; restart++) {
      process.kill(s.pid!, 'SIGKILL');
      await expect.poll(() => s.status.restarts, { timeout: 60_000 }).toBe(restart);
      await expect.poll(() => s.status.state, { timeout: 60_000 }).toBe('running');
    }
    const dir = join(logFile, '..');
    await expect.poll(() => existsSync(`${logFile}.1`), { timeout: 10_000 }).toBe(true);
    // Several rotations happened (four starts log far more than 300 B), and only one old file is kept.
    // (server.log itself may be between a rotation and its next write.)
    expect(readdirSync(dir).filter((name) => name !== 'server.log')).toEqual(['server.log.1']);
    expect(readFileSync(`${logFile}.1`, 'utf8')).toMatch(/"app":"spacecraft-server"/);
  });

  it('a server child starts from its environment alone, says where it listens, and shuts down when asked', async () => {
    const env = { PATH: process.env['PATH'] ?? '', SPACECRAFT_PORT: '0', SPACECRAFT_WORKERS: '1', SPACECRAFT_DATA_DIR: 'memory://', SPACECRAFT_LOG_LEVEL: 'warn' };
    const child = fork(SERVER_ENTRY, [], { env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const exited = once(child, 'exit') as Promise<[number | null]>;
    const [message] = (await once(child, 'message')) as [{ type: string; url: string; port: number }];
    expect(message).toMatchObject({ type: 'listening', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
    expect(await (await fetch(`${message.url}/health`)).json()).toMatchObject({ status: 'ok' });
    child.send({ type: 'shutdown' });
    const [code] = await exited;
    expect(code).toBe(0);
  });

  it('a server child asked to shut down while it starts, or left by its parent, closes once it is up', async () => {
    const env = { PATH: process.env['PATH'] ?? '', SPACECRAFT_PORT: '0', SPACECRAFT_WORKERS: '1', SPACECRAFT_DATA_DIR: 'memory://', SPACECRAFT_LOG_LEVEL: 'info' };
    for (const leave of [(c: ReturnType<typeof fork>) => c.send({ type: 'shutdown' }), (c: ReturnType<typeof fork>) => c.disconnect()]) {
      const child = fork(SERVER_ENTRY, [], { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => (out += String(chunk)));
      const exited = once(child, 'exit') as Promise<[number | null]>;
      leave(child);
      const [code] = await exited;
      expect(code, out).toBe(0);
      // It started fully (nothing half-made) and then closed gracefully.
      expect(out).toContain('server listening');
      expect(out).toMatch(/"why":"(asked by parent|parent gone) while starting"/);
    }
  });

  it('a server child with a bad configuration tells its parent why and exits', async () => {
    const child = fork(SERVER_ENTRY, [], { env: { PATH: process.env['PATH'] ?? '', SPACECRAFT_DEMO_DATA: 'perhaps' }, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const messages: unknown[] = [];
    child.on('message', (message) => messages.push(message));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(78);
    expect(messages).toEqual([{ type: 'failed', message: expect.stringMatching(/^Invalid server configuration:[\s\S]*SPACECRAFT_DEMO_DATA/) }]);
  });
});
