import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { SpacecraftError } from '../errors.ts';
import type { WorkerPool } from '../media/worker-pool.ts';
import type { SessionHub } from '../signalling/session-hub.ts';
import type { SpaceRegistry } from '../spaces/space-registry.ts';
import { createHttpApp } from './app.ts';

const apps: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function app() {
  const instance = await createHttpApp({
    config: loadConfig({}),
    logger: pino({ level: 'silent' }),
    pool: { size: 1 } as WorkerPool,
    registry: { liveCount: 0 } as SpaceRegistry,
    hub: { size: 0 } as SessionHub,
    listenerDir: '/nonexistent',
  });
  apps.push(instance);
  return instance;
}

describe('HTTP errors', () => {
  it('answers an internal failure with 500 and no internals, a typed one with the status its code means', async () => {
    const http = await app();
    http.get('/typed-internal', async () => {
      throw new SpacecraftError('INTERNAL', 'Something went wrong on the server.');
    });
    http.get('/crash', async () => {
      throw new Error('disk on fire at /home/secret');
    });
    http.get('/busy', async () => {
      throw new SpacecraftError('RATE_LIMITED', 'Slow down.');
    });
    const typed = await http.inject('/typed-internal');
    expect(typed.statusCode).toBe(500);
    const crash = await http.inject('/crash');
    expect(crash.statusCode).toBe(500);
    expect(crash.json()).toEqual({ error: { code: 'INTERNAL', message: 'Something went wrong on the server.' } });
    expect(crash.body).not.toContain('secret');
    expect((await http.inject('/busy')).statusCode).toBe(429);
  });
});
