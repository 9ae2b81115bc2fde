/**
 * A helper process the server keeps running (the program mixer's GStreamer, the HLS packager's
 * ffmpeg): spawned tethered to this server (`tethered-child.ts`), its stderr kept (the tail) for
 * the log, and an unexpected exit answered by a new process after a growing wait (250 ms, 500 ms,
 * 750 ms…). After `maxRespawns` such answers the next exit gives up: the supervisor stops and
 * calls `onGiveUp` once, so its owner closes. `stop()` is the owner's way out: it kills the
 * process and resolves when it has gone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from '../logger.ts';
import { tether } from './tethered-child.ts';

export type SupervisedChildOptions = {
  command: string;
  args: readonly string[];
  /** What the log lines call the helper ('mixer', 'packager'). */
  name: string;
  logger: Logger;
  /** Unexpected exits answered by a new process before the next one gives up (3). */
  maxRespawns?: number;
  /** The wait before the first respawn (ms); the n-th waits n times as long (250). */
  backoffMs?: number;
  /** Called once when the helper died once more than it may be respawned: the supervisor has stopped. */
  onGiveUp: () => void;
  /** More fields for the log line each start writes. */
  logFields?: Record<string, unknown>;
};

const STDERR_CAP = 16 * 1024;

export class SupervisedChild {
  readonly #options: SupervisedChildOptions;
  #process: ChildProcess | null = null;
  #stderr = '';
  #respawns = 0;
  #stopped = false;

  /** Spawns the helper now and keeps it running until `stop()` or giving up. */
  static start(options: SupervisedChildOptions): SupervisedChild {
    const child = new SupervisedChild(options);
    child.#spawn();
    return child;
  }

  private constructor(options: SupervisedChildOptions) {
    this.#options = options;
  }

  /** The current process's id (none once stopped). */
  get pid(): number | undefined {
    return this.#process?.pid;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Stops supervising and kills the process (idempotent); resolves once it has gone. */
  stop(): Promise<void> {
    this.#stopped = true;
    const child = this.#process;
    this.#process = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    const gone = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.kill('SIGKILL');
    return gone;
  }

  #spawn(): void {
    const { command, args, name, logger } = this.#options;
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    // Ends with this server even when it is SIGKILLed (no exit handler runs then).
    tether(child);
    this.#process = child;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-STDERR_CAP);
    });
    child.once('error', (error) => logger.error({ err: error }, `${name} could not start`));
    child.once('close', (code, signal) => {
      if (this.#stopped || this.#process !== child) return;
      logger.error({ code, signal, stderr: this.#stderr.slice(-2000) }, `${name} exited`);
      if (this.#respawns >= (this.#options.maxRespawns ?? 3)) {
        this.#stopped = true;
        this.#process = null;
        this.#options.onGiveUp();
        return;
      }
      this.#respawns++;
      setTimeout(() => {
        if (!this.#stopped) this.#spawn();
      }, (this.#options.backoffMs ?? 250) * this.#respawns).unref();
    });
    logger.info({ pid: child.pid, ...this.#options.logFields }, `${name} started`);
  }
}
