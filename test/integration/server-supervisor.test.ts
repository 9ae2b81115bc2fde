/**
 * The studio's supervisor with the real server as a forked child: healthy
 * start, restart on the same URL after the server is killed, giving up on a
 * crash loop, a clear failure on bad configuration, and a clean stop; the
 * studio token never in the server's or its mediasoup worker's environment nor
 * in the log, and the log rotated by size.
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
import type { LogRotation } from '../../electron/server-child.ts';
import { ServerSupervisor } from '../../electron/server-supervisor.ts';

const running: ServerSupervisor[] = [];

function supervisor(options: { env?: Record<string, string>; maxRestarts?: number; rotation?: LogRotation } = {}) {
  const logFile = join(mkdtempSync(join(tmpdir(), 'spacecraft-supervisor-')), 'server.log');
  const s = new ServerSupervisor({
    spawn: forkServer({ logFile, ...(options.rotation ? { rotation: options.rotation } : {}) }),
    port: 0,
    env: { SPACECRAFT_WORKERS: '1', SPACECRAFT_LOG_LEVEL: 'info', ...options.env },
    logger: pino({ level: 'silent' }),
    ...(options.maxRestarts !== undefined ? { maxRestarts: options.maxRestarts } : {}),
  });
  running.push(s);
  return { s, logFile };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
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

describe('server supervisor', { timeout: 60_000 }, () => {
  it('starts the server, waits for health, and collects its log into a file', async () => {
    const { s, logFile } = supervisor();
    const status = await s.start();
    expect(status).toMatchObject({ state: 'running', restarts: 0 });
    expect(await (await fetch(`${status.url}/health`)).json()).toMatchObject({ status: 'ok' });
    expect(s.connection()?.studioToken.length).toBeGreaterThanOrEqual(16);
    await expect.poll(() => readFileSync(logFile, 'utf8')).toContain('server listening');
  });

  it('restarts a killed server on the same URL', async () => {
    const { s } = supervisor();
    const first = await s.start();
    const pid = s.pid!;
    const seen: ServerStatus['state'][] = [];
    s.onStatus((status) => seen.push(status.state));
    process.kill(pid, 'SIGKILL');
    await expect.poll(() => seen, { timeout: 30_000 }).toContain('running');
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
    await expect.poll(() => seen, { timeout: 30_000 }).toContain('running');
    process.kill(s.pid!, 'SIGKILL');
    await expect.poll(() => s.status.state, { timeout: 30_000 }).toBe('failed');
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
    await expect.poll(() => alive(pid)).toBe(false);
  });

  it('keeps the studio token out of the environment of the server and its mediasoup worker, and out of the log', async () => {
    const { s, logFile } = supervisor({ env: { SPACECRAFT_LOG_LEVEL: 'trace' } });
    const status = await s.start();
    const token = s.connection()!.studioToken;
    const server = s.pid!;
    const workers = childrenOf(server).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('mediasoup-worker'));
    expect(workers).toHaveLength(1);
    for (const pid of [server, ...workers]) {
      expect(environ(pid)).toContain('SPACECRAFT_WORKERS=1');
      expect(environ(pid)).not.toContain(token);
      expect(environ(pid)).not.toContain('SPACECRAFT_STUDIO_TOKEN');
    }
    // The token works (the server got it over IPC): a Space starts with it.
    const socket = new WsClient(`${status.url!.replace('http', 'ws')}/ws`, { origin: new URL(status.url!).origin });
    await once(socket, 'open');
    socket.send(JSON.stringify({ id: 1, method: 'createSpace', data: { title: 'Token check', studioToken: token } }));
    const [frame] = (await once(socket, 'message')) as [Buffer];
    const reply = JSON.parse(String(frame)) as { ok: boolean };
    socket.close();
    expect(reply).toMatchObject({ ok: true });
    await expect.poll(() => readFileSync(logFile, 'utf8')).toContain('server listening');
    expect(readFileSync(logFile, 'utf8')).not.toContain(token);
  });

  it('rotates server.log by size and keeps only maxFiles old files', async () => {
    const { s, logFile } = supervisor({ env: { SPACECRAFT_LOG_LEVEL: 'debug' }, rotation: { maxSize: '300B', maxFiles: 1 } });
    await s.start();
    for (let restart = 1; restart <= 4; restart++) {
      process.kill(s.pid!, 'SIGKILL');
      await expect.poll(() => s.status.restarts, { timeout: 30_000 }).toBe(restart);
      await expect.poll(() => s.status.state, { timeout: 30_000 }).toBe('running');
    }
    const dir = join(logFile, '..');
    await expect.poll(() => existsSync(`${logFile}.1`), { timeout: 10_000 }).toBe(true);
    // Several rotations happened (four starts log far more than 300 B), and only one old file is kept.
    // (server.log itself may be between a rotation and its next write.)
    expect(readdirSync(dir).filter((name) => name !== 'server.log')).toEqual(['server.log.1']);
    expect(readFileSync(`${logFile}.1`, 'utf8')).toMatch(/"app":"spacecraft-server"/);
  });

  it('a server child that is never configured fails clearly instead of running without the token', async () => {
    const child = fork(SERVER_ENTRY, [], { env: { PATH: process.env['PATH'] ?? '', SPACECRAFT_CONFIGURE_TIMEOUT_MS: '300' }, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const messages: unknown[] = [];
    child.on('message', (message) => messages.push(message));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(78);
    expect(messages).toEqual([
      { type: 'awaiting-configuration' },
      { type: 'failed', message: 'Spacecraft server: the studio did not send its configuration within 300 ms.' },
    ]);
  });

  it('a server child configured without a token refuses to start', async () => {
    const child = fork(SERVER_ENTRY, [], { env: { PATH: process.env['PATH'] ?? '' }, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const messages: unknown[] = [];
    child.on('message', (message) => {
      messages.push(message);
      if ((message as { type?: string }).type === 'awaiting-configuration') child.send({ type: 'configure' });
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(78);
    expect(messages.at(-1)).toEqual({ type: 'failed', message: 'Spacecraft server: the studio sent a configuration without a studio token.' });
  });
});
