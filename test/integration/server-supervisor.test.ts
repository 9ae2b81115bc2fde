/**
 * The studio's supervisor with the real server as a forked child: healthy
 * start, restart on the same URL after the server is killed, giving up on a
 * crash loop, a clear failure on bad configuration, and a clean stop.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerStatus } from '../../electron/contract.ts';
import { forkServer } from '../../electron/fork-server.ts';
import { ServerSupervisor } from '../../electron/server-supervisor.ts';

const running: ServerSupervisor[] = [];

function supervisor(options: { env?: Record<string, string>; maxRestarts?: number } = {}) {
  const logFile = join(mkdtempSync(join(tmpdir(), 'spacecraft-supervisor-')), 'server.log');
  const s = new ServerSupervisor({
    spawn: forkServer({ logFile }),
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
});
