/**
 * Keeps the bundled server alive: starts it as a child (child_process.fork in
 * browser mode, utilityProcess in Electron, through `SpawnServer`), waits for
 * its health check, restarts it when it dies (same port, so listener links stay
 * valid), gives up after a crash loop, and stops it on quit.
 * No `electron` import: the same class runs under plain Node.
 */
import { randomBytes } from 'node:crypto';
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

export type SupervisorOptions = {
  spawn: SpawnServer;
  /** First port to ask for; 0 lets the system choose. Restarts reuse the port the server got. */
  port: number;
  env?: Record<string, string>;
  logger: Logger;
  healthTimeoutMs?: number;
  /** At most this many restarts within `crashWindowMs`, then the state is `failed`. */
  maxRestarts?: number;
  crashWindowMs?: number;
};

type Events = { status: [ServerStatus] };

const listeningSchema = (m: unknown): m is { type: 'listening'; url: string; port: number } =>
  typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'listening' && typeof (m as { url?: unknown }).url === 'string';

export class ServerSupervisor {
  readonly #options: Required<Omit<SupervisorOptions, 'env'>> & { env: Record<string, string> };
  readonly #events = new EventEmitter<Events>();
  readonly #studioToken = randomBytes(24).toString('base64url');
  readonly #crashes: number[] = [];
  #child: ServerProcess | null = null;
  #port: number;
  #status: ServerStatus = { state: 'stopped', url: null, restarts: 0, message: null };
  #stopping = false;
  #restartTimer: NodeJS.Timeout | null = null;

  constructor(options: SupervisorOptions) {
    this.#options = { healthTimeoutMs: 20_000, maxRestarts: 5, crashWindowMs: 60_000, env: {}, ...options };
    this.#port = options.port;
  }

  get status(): ServerStatus {
    return this.#status;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  connection(): ServerConnection | null {
    return this.#status.url ? { url: this.#status.url, studioToken: this.#studioToken } : null;
  }

  onStatus(listener: (status: ServerStatus) => void): () => void {
    this.#events.on('status', listener);
    return () => this.#events.off('status', listener);
  }

  /** Starts the server and resolves once its health check answers. */
  async start(): Promise<ServerStatus> {
    this.#stopping = false;
    this.#setStatus({ state: 'starting', message: null });
    await this.#launch();
    return this.#status;
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    const child = this.#child;
    this.#child = null;
    if (child) {
      const exited = new Promise<void>((resolve) => child.onExit(() => resolve()));
      child.shutdown();
      const killer = setTimeout(() => child.kill(), 5000);
      await exited;
      clearTimeout(killer);
    }
    this.#setStatus({ state: 'stopped', url: null });
  }

  async #launch(): Promise<void> {
    const log = this.#options.logger;
    const child = this.#options.spawn({
      ...this.#options.env,
      SPACECRAFT_PORT: String(this.#port),
      SPACECRAFT_STUDIO_TOKEN: this.#studioToken,
    });
    this.#child = child;
    const listening = new Promise<{ url: string; port: number }>((resolve, reject) => {
      child.onMessage((message) => {
        if (listeningSchema(message)) resolve(message);
        else if ((message as { type?: unknown })?.type === 'failed') reject(new Error(String((message as { message?: unknown }).message)));
      });
      child.onExit((code) => reject(new Error(`server exited with code ${code} while starting`)));
    });
    child.onExit((code) => this.#onExit(child, code));
    try {
      const { url, port } = await withTimeout(listening, this.#options.healthTimeoutMs, 'server did not start in time');
      this.#port = port;
      await this.#waitHealthy(url);
      if (this.#child !== child) return;
      log.info({ url, pid: child.pid }, 'bundled server healthy');
      this.#setStatus({ state: 'running', url, message: null });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log.error({ err: error }, 'bundled server failed to start');
      if (this.#child === child) {
        this.#child = null;
        child.kill();
      }
      this.#setStatus({ state: 'failed', url: null, message });
      throw error;
    }
  }

  async #waitHealthy(url: string): Promise<void> {
    const deadline = Date.now() + this.#options.healthTimeoutMs;
    for (;;) {
      try {
        const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
        if (response.ok && ((await response.json()) as { status?: unknown }).status === 'ok') return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error('server health check did not pass in time');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  #onExit(child: ServerProcess, code: number | null): void {
    if (this.#child !== child || this.#stopping) return;
    this.#child = null;
    const now = Date.now();
    this.#crashes.push(now);
    while (this.#crashes.length && this.#crashes[0]! < now - this.#options.crashWindowMs) this.#crashes.shift();
    const log = this.#options.logger;
    if (this.#crashes.length > this.#options.maxRestarts) {
      log.error({ code }, 'bundled server keeps crashing; giving up');
      this.#setStatus({ state: 'failed', url: null, message: 'The server keeps stopping; see the server log.' });
      return;
    }
    const delay = Math.min(5000, 200 * 2 ** (this.#crashes.length - 1));
    log.warn({ code, delay }, 'bundled server died; restarting');
    this.#setStatus({ state: 'restarting', url: null, restarts: this.#status.restarts + 1, message: `The server stopped (code ${code}); restarting.` });
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = null;
      if (!this.#stopping) this.#launch().catch(() => undefined);
    }, delay);
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
