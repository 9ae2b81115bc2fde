/**
 * A server whose start fails half-way (its port is taken) leaves nothing behind: the data
 * folder's lock is released (a second start on the same folder succeeds at once), and no
 * mediasoup worker or job-queue poller is left running in this process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import { startServer } from '../../server/server.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'spacecraft-failed-start-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** The mediasoup worker processes this test process runs. */
async function workerCount(): Promise<number> {
  const { execFileSync } = await import('node:child_process');
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), '-f', 'mediasoup-worker'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

describe('a server start that fails half-way', () => {
  it('releases its data folder, workers and job queue, so the next start works', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    const logger = pino({ level: 'silent' });
    const env = { SPACECRAFT_HOST: '127.0.0.1', SPACECRAFT_WORKERS: '1', SPACECRAFT_DATA_DIR: dataDir };
    const workersBefore = await workerCount();
    try {
      await expect(startServer(loadConfig({ ...env, SPACECRAFT_PORT: String(port) }), logger)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      taken.close();
    }
    await expect.poll(workerCount, { timeout: 10_000 }).toBe(workersBefore);
    // The lock is free: the same folder opens again, and the server runs.
    const server = await startServer(loadConfig({ ...env, SPACECRAFT_PORT: '0' }), logger);
    try {
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
