/**
 * Keeps the bundled server alive: starts it as a child (child_process.fork in
 * browser mode, utilityProcess in Electron, through `SpawnServer`) with an
 * environment that holds no secret (the mediasoup workers inherit it), waits
 * for it to say it listens and for its health check, restarts it when it
 * dies (same port, so listener links stay valid; a relaunch that fails counts
 * as a crash and is retried with backoff), gives up after `maxRestarts` crashes
 * within `crashWindowMs`, and stops it on quit.
 * No `electron` import: the same class runs under plain Node.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { ServerConnection, ServerStatus } from './contract.ts';

/** A running server child, whatever started it. */
export interface ServerProcess {
  readonly pid: number | undefined;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (code: number | null) => void): void;
  /** Ask for a graceful shutdown. */
  shutdown(): void;
  kill(): void;
}

export type SpawnServer = (env: Record<string, string>) => ServerProcess;

/** What the supervisor and the server say to each other over IPC (see server/main.ts). */
export type ChildMessage = { type: 'listening'; url: string; port: number } | { type: 'failed'; message: string };
export type ParentMessage = { type: 'shutdown' };

export type SupervisorOptions = {
  spawn: SpawnServer;
  /** First port to ask for; 0 lets the system choose. Restarts reuse the port the server got. */
  port: number;
  env?: Record<string, string>;
  /** Read at every launch, on top of `env` (the Stripe key file's path once the studio has saved keys). */
  launchEnv?: () => Record<string, string>;
  logger: Logger;
  healthTimeoutMs?: number;
  /** At most this many restarts within `crashWindowMs`, then the state is `failed`. */
  maxRestarts?: number;
  crashWindowMs?: number;
  /** Delay before the restart that follows the n-th recent crash (n ≥ 1). */
  restartDelayMs?: (crashes: number) => number;
  /** Whether the server at `url` answers its health check. */
  healthCheck?: (url: string) => Promise<boolean>;
};

type Events = { status: [ServerStatus] };

function childMessage(m: unknown): ChildMessage | null {
  if (typeof m !== 'object' || m === null) return null;
  const message = m as Record<string, unknown>;
  if (message['type'] === 'listening' && typeof message['url'] === 'string' && typeof message['port'] === 'number') {
    return { type: 'listening', url: message['url'], port: message['port'] };
  }
  if (message['type'] === 'failed') return { type: 'failed', message: String(message['message']) };
  return null;
}

async function fetchHealth(url: string): Promise<boolean> {
  const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
  return response.ok && ((await response.json()) as { status?: unknown }).status === 'ok';
}

export class ServerSupervisor {
  readonly #options: Required<Omit<SupervisorOptions, 'env' | 'launchEnv'>> & { env: Record<string, string>; launchEnv: () => Record<string, string> };
  readonly #events = new EventEmitter<Events>();
  readonly #crashes: number[] = [];
  #child: ServerProcess | null = null;
  #port: number;
  #status: ServerStatus = { state: 'stopped', url: null, restarts: 0, message: null };
  #stopping = false;
  #starting: Promise<ServerStatus> | null = null;
  #restartTimer: NodeJS.Timeout | null = null;

  constructor(options: SupervisorOptions) {
    this.#options = {
      // A first start creates the database (and the demo accounts): tens of seconds on a slow, busy machine.
      healthTimeoutMs: 60_000,
      maxRestarts: 5,
      crashWindowMs: 60_000,
      env: {},
      launchEnv: () => ({}),
      restartDelayMs: (n) => Math.min(5000, 200 * 2 ** (n - 1)),
      healthCheck: fetchHealth,
      ...options,
    };
    this.#port = options.port;
  }

  get status(): ServerStatus {
    return this.#status;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  connection(): ServerConnection | null {
    return this.#status.state === 'running' && this.#status.url ? { url: this.#status.url } : null;
  }

  onStatus(listener: (status: ServerStatus) => void): () => void {
    this.#events.on('status', listener);
    return () => this.#events.off('status', listener);
  }

  /**
   * Starts the server and resolves once its health check answers. Calls while
   * it starts share that start; calls while it runs return the status at once.
   */
  start(): Promise<ServerStatus> {
    if (this.#starting) return this.#starting;
    if (this.#child && this.#status.state === 'running') return Promise.resolve(this.#status);
    this.#starting = this.#startOnce().finally(() => (this.#starting = null));
    return this.#starting;
  }

  async #startOnce(): Promise<ServerStatus> {
    this.#stopping = false;
    this.#clearRestart();
    this.#setStatus({ state: 'starting', message: null });
    try {
      await this.#launch();
    } catch (error) {
      if (!this.#stopping) this.#setStatus({ state: 'failed', url: null, message: error instanceof Error ? error.message : String(error) });
      throw error;
    }
    return this.#status;
  }

  /** Stops the server and starts it again (same port), with its launch environment read afresh. */
  async restart(): Promise<ServerStatus> {
    await this.stop();
    return this.start();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#clearRestart();
    const child = this.#child;
    this.#child = null;
    if (child) {
      const exited = new Promise<void>((resolve) => child.onExit(() => resolve()));
      child.shutdown();
      const killer = setTimeout(() => child.kill(), 5000);
      await exited;
      clearTimeout(killer);
    }
    await this.#starting?.catch(() => undefined);
    this.#setStatus({ state: 'stopped', url: null });
  }

  /** Spawns a child and resolves once it is healthy; a child that fails is killed and the promise rejects. */
  async #launch(): Promise<void> {
    const log = this.#options.logger;
    const child = this.#options.spawn({ ...this.#options.env, ...this.#options.launchEnv(), SPACECRAFT_PORT: String(this.#port) });
    this.#child = child;
    let up = false;
    const exited = new Promise<never>((_, reject) => {
      child.onExit((code) => {
        if (up) this.#onExit(child, code);
        reject(new Error(`server exited with code ${code} while starting`));
      });
    });
    exited.catch(() => undefined);
    const listening = new Promise<{ url: string; port: number }>((resolve, reject) => {
      child.onMessage((raw) => {
        const message = childMessage(raw);
        if (message?.type === 'listening') resolve(message);
        else if (message?.type === 'failed') reject(new Error(message.message));
      });
    });
    try {
      const { url, port } = await withTimeout(Promise.race([listening, exited]), this.#options.healthTimeoutMs, 'server did not start in time');
      this.#port = port;
      await Promise.race([this.#waitHealthy(url), exited]);
      if (this.#child !== child) throw new Error('server stopped while starting');
      up = true;
      log.info({ url, pid: child.pid }, 'bundled server healthy');
      this.#setStatus({ state: 'running', url, message: null });
    } catch (error) {
      log.error({ err: error }, 'bundled server failed to start');
      if (this.#child === child) this.#child = null;
      child.kill();
      throw error;
    }
  }

  async #waitHealthy(url: string): Promise<void> {
    const deadline = Date.now() + this.#options.healthTimeoutMs;
    for (;;) {
      if (await this.#options.healthCheck(url).catch(() => false)) return;
      if (Date.now() > deadline) throw new Error('server health check did not pass in time');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  #onExit(child: ServerProcess, code: number | null): void {
    if (this.#child !== child || this.#stopping) return;
    this.#child = null;
    this.#crashed(`The server stopped (code ${code}); restarting.`, { code });
  }

  /** Counts a crash (a running server died, or a relaunch failed) and restarts, or gives up after too many. */
  #crashed(message: string, details: Record<string, unknown>): void {
    const now = Date.now();
    this.#crashes.push(now);
    while (this.#crashes.length && this.#crashes[0]! < now - this.#options.crashWindowMs) this.#crashes.shift();
    const log = this.#options.logger;
    if (this.#crashes.length > this.#options.maxRestarts) {
      log.error(details, 'bundled server keeps crashing; giving up');
      this.#setStatus({ state: 'failed', url: null, message: 'The server keeps stopping; see the server log.' });
      return;
    }
    const delay = this.#options.restartDelayMs(this.#crashes.length);
    log.warn({ ...details, delay }, 'bundled server down; restarting');
    this.#setStatus({ state: 'restarting', url: null, restarts: this.#status.restarts + 1, message });
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = null;
      if (this.#stopping) return;
      this.#launch().catch((error: unknown) => {
        if (!this.#stopping) this.#crashed(`The server did not come back (${error instanceof Error ? error.message : String(error)}); retrying.`, { err: error });
      });
    }, delay);
  }

  #clearRestart(): void {
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    this.#restartTimer = null;
  }

  #setStatus(patch: Partial<ServerStatus>): void {
    this.#status = { ...this.#status, ...patch };
    this.#events.emit('status', this.#status);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
