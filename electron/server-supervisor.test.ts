/**
 * The supervisor's rules with a fake server child (milliseconds, no real
 * server): one start at a time, the child's environment as given, relaunches that fail
 * are retried with backoff until `maxRestarts`. The real-server behaviour is
 * in test/integration/server-supervisor.test.ts.
 */
import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ServerStatus } from './contract.ts';
import { ServerSupervisor, type ServerProcess } from './server-supervisor.ts';

type Behaviour = 'healthy' | 'dies-while-starting' | 'bad-config';

class FakeServer implements ServerProcess {
  static nextPid = 1000;
  readonly pid = FakeServer.nextPid++;
  readonly env: Record<string, string>;
  readonly #events = new EventEmitter<{ message: [unknown]; exit: [number | null] }>();
  #exitCode: number | null | undefined;

  constructor(env: Record<string, string>, behaviour: Behaviour) {
    this.env = env;
    // Like server/main.ts: listen (or say what is wrong, or die).
    setImmediate(() => {
      if (behaviour === 'dies-while-starting') this.exit(1);
      else if (behaviour === 'bad-config') this.#events.emit('message', { type: 'failed', message: 'Invalid server configuration: SPACECRAFT_WORKERS' });
      else this.#events.emit('message', { type: 'listening', url: 'http://127.0.0.1:4400', port: 4400 });
    });
  }

  onMessage(listener: (message: unknown) => void): void {
    this.#events.on('message', listener);
  }

  onExit(listener: (code: number | null) => void): void {
    if (this.#exitCode !== undefined) listener(this.#exitCode);
    else this.#events.once('exit', listener);
  }

  shutdown(): void {
    this.exit(0);
  }

  kill(): void {
    this.exit(null);
  }

  exit(code: number | null): void {
    if (this.#exitCode !== undefined) return;
    this.#exitCode = code;
    setImmediate(() => this.#events.emit('exit', code));
  }
}

function fakeSupervisor(behaviours: Behaviour[], options: { maxRestarts?: number } = {}) {
  const spawned: FakeServer[] = [];
  const restartsScheduled: number[] = [];
  const supervisor = new ServerSupervisor({
    spawn: (env) => {
      const server = new FakeServer(env, behaviours[spawned.length] ?? 'healthy');
      spawned.push(server);
      return server;
    },
    port: 0,
    env: { SPACECRAFT_WORKERS: '1' },
    logger: pino({ level: 'silent' }),
    healthTimeoutMs: 2000,
    restartDelayMs: (crashes) => (restartsScheduled.push(crashes), 5),
    healthCheck: async () => true,
    ...options,
  });
  const seen: ServerStatus['state'][] = [];
  supervisor.onStatus((status) => seen.push(status.state));
  return { supervisor, spawned, seen, restartsScheduled };
}

describe('ServerSupervisor (fake server)', () => {
  it('starts one server when start() is called twice', async () => {
    const { supervisor, spawned } = fakeSupervisor([]);
    const [a, b] = await Promise.all([supervisor.start(), supervisor.start()]);
    expect(a).toMatchObject({ state: 'running' });
    expect(b).toEqual(a);
    await supervisor.start();
    expect(spawned).toHaveLength(1);
    await supervisor.stop();
  });

  it('starts the child with its settings and the port, and connects to the URL it says it listens on', async () => {
    const { supervisor, spawned } = fakeSupervisor([]);
    expect(supervisor.connection()).toBeNull();
    await supervisor.start();
    expect(spawned[0]!.env).toEqual({ SPACECRAFT_WORKERS: '1', SPACECRAFT_PORT: '0' });
    expect(supervisor.connection()).toEqual({ url: 'http://127.0.0.1:4400' });
    await supervisor.stop();
    expect(supervisor.connection()).toBeNull();
  });

  it("fails to start with the child's own reason when it refuses its configuration", async () => {
    const { supervisor, spawned } = fakeSupervisor(['bad-config']);
    await expect(supervisor.start()).rejects.toThrow('Invalid server configuration: SPACECRAFT_WORKERS');
    expect(supervisor.status).toMatchObject({ state: 'failed', message: 'Invalid server configuration: SPACECRAFT_WORKERS' });
    expect(spawned).toHaveLength(1);
  });

  it('retries a relaunch that fails, and runs again', async () => {
    const { supervisor, spawned, seen } = fakeSupervisor(['healthy', 'dies-while-starting', 'dies-while-starting', 'healthy'], { maxRestarts: 5 });
    await supervisor.start();
    seen.length = 0;
    spawned[0]!.exit(1);
    await expect.poll(() => seen).toContain('running');
    expect(spawned).toHaveLength(4);
    expect(seen).toEqual(['restarting', 'restarting', 'restarting', 'running']);
    expect(supervisor.status.restarts).toBe(3);
    await supervisor.stop();
  });

  it('gives up after maxRestarts failed relaunches, not after the first', async () => {
    const { supervisor, spawned } = fakeSupervisor(['healthy', 'dies-while-starting', 'dies-while-starting', 'dies-while-starting', 'healthy'], { maxRestarts: 3 });
    await supervisor.start();
    spawned[0]!.exit(1);
    await expect.poll(() => supervisor.status.state).toBe('failed');
    expect(spawned).toHaveLength(4);
    expect(supervisor.status).toMatchObject({ restarts: 3, message: expect.stringMatching(/keeps stopping/) });
    await supervisor.stop();
  });

  it('does not restart a server that fails its first start', async () => {
    const { supervisor, spawned, restartsScheduled } = fakeSupervisor(['dies-while-starting']);
    await expect(supervisor.start()).rejects.toThrow(/exited with code 1 while starting/);
    expect(supervisor.status.state).toBe('failed');
    expect(restartsScheduled).toEqual([]);
    expect(spawned).toHaveLength(1);
  });
});
