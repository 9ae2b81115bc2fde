/**
 * A caption engine: a child process that reads 16 kHz mono s16le PCM on stdin and
 * control JSON lines on fd 3, and writes JSON lines (ready / partial / final / error)
 * on stdout. The default is pocketsphinx-lines (resources/caption-engine/); any
 * recogniser speaking the same protocol plugs in by command line.
 *
 * `CaptionEngine` supervises one such process for one speaker: it parses what the
 * process says with a size bound and a schema, restarts it with backoff when it dies
 * (adding the vocabulary again), and keeps one clock across restarts: result times
 * are seconds of audio written to this CaptionEngine (audio written while no process
 * runs is dropped but still counts), and utterance numbers keep growing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { z } from 'zod';
import { SpacecraftError, ValidationError } from '../errors.ts';
import { TypedEmitter } from '../lib/typed-emitter.ts';
import type { Logger } from '../logger.ts';

export type EngineWord = { word: string; start: number; end: number; confidence: number };
export type EngineResult = { kind: 'partial' | 'final'; utterance: number; text: string; words: EngineWord[]; start: number; end: number };
export type VocabularyWord = { word: string; phones: string };

export const SAMPLE_RATE = 16_000;
const BYTES_PER_SECOND = SAMPLE_RATE * 2;
/** A result line longer than this is not a caption: it is dropped (with a warning). */
export const MAX_LINE_BYTES = 256 * 1024;
/** Audio queued for a process that does not keep up, before audio is dropped (about 20 s). */
const MAX_QUEUED_AUDIO_BYTES = 20 * BYTES_PER_SECOND;
/** At most this many vocabulary words per speaker. */
export const MAX_VOCABULARY = 2000;
const STDERR_TAIL_BYTES = 4096;
/** What an engine's dictionary takes (pocketsphinx-lines checks the same). */
const ENGINE_WORD = /^(?![<[+])[^\s()"\\\u007f]{1,64}$/u;
const ENGINE_PHONES = /^[A-Z]+(?: [A-Z]+)*$/;
/** A process that ran this long after `ready` before dying was working: its restart starts the backoff afresh. */
const STABLE_AFTER_MS = 10_000;

const wordSchema = z.object({
  word: z.string().min(1).max(200),
  start: z.number().finite().min(0),
  end: z.number().finite().min(0),
  confidence: z.number().finite().min(0).max(1),
});
const resultFields = {
  utterance: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  text: z.string().max(20_000),
  words: z.array(wordSchema).max(2000),
  start: z.number().finite().min(0),
  end: z.number().finite().min(0),
};
const lineSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('partial'), ...resultFields }),
  z.object({ type: z.literal('final'), ...resultFields }),
  z.object({ type: z.literal('error'), message: z.string().max(2000) }),
]);

export type CaptionEngineOptions = {
  /** argv: the program and its arguments. */
  command: string[];
  vocabulary?: VocabularyWord[];
  logger: Logger;
  /** How long a starting process may take to say `ready` (model loading on a busy machine). */
  readyTimeoutMs?: number;
  /** Backoff between restarts: first wait, doubled per failure up to the max. */
  restartDelayMs?: { first: number; max: number };
  /** Consecutive restarts that never reached `ready` before the engine gives up. */
  maxFailedRestarts?: number;
};

export type CaptionEngineEvents = {
  result: [EngineResult];
  /** A restarted process is ready again (results resume). */
  restarted: [];
  /** The engine gave up (it cannot be started again): no more results. */
  error: [SpacecraftError];
};

/** Splits a command line into argv: whitespace separates, '…' and "…" quote, \ escapes. */
export function splitCommandLine(line: string): string[] {
  const args: string[] = [];
  let current = '';
  let inArg = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) current += line[++i];
      else current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inArg = true;
    } else if (c === '\\' && i + 1 < line.length) {
      current += line[++i];
      inArg = true;
    } else if (/\s/.test(c)) {
      if (inArg) args.push(current);
      current = '';
      inArg = false;
    } else {
      current += c;
      inArg = true;
    }
  }
  if (quote) throw new SpacecraftError('VALIDATION', `The caption engine command has an unclosed ${quote} quote.`);
  if (inArg) args.push(current);
  return args;
}

function unavailable(command: string[], why: string): SpacecraftError {
  return new SpacecraftError('CAPTIONS_UNAVAILABLE', `The caption engine "${command.join(' ')}" ${why}; the Space goes on without captions.`);
}

type Running = {
  child: ChildProcess;
  control: Writable | null;
  /** Stream seconds of this process's audio time 0 (set when it is ready). */
  base: number;
  /** Added to the process's utterance numbers. */
  utteranceBase: number;
  ready: boolean;
  readyAt: number;
  /** Killed for falling too far behind: audio to it is dropped. */
  lagging: boolean;
  /** The last partial of an utterance not yet final: said as final if the process dies. */
  open: EngineResult | null;
  stderr: string;
};

export class CaptionEngine {
  readonly events: TypedEmitter<CaptionEngineEvents>;
  readonly #command: string[];
  readonly #log: Logger;
  readonly #vocabulary = new Map<string, string>();
  readonly #readyTimeoutMs: number;
  readonly #restartDelay: { first: number; max: number };
  readonly #maxFailedRestarts: number;
  #running: Running | null = null;
  /** Bytes of audio written to this engine over its life (dropped audio included). */
  #streamBytes = 0;
  #highestUtterance = 0;
  #failedRestarts = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  #droppedBytes = 0;
  #restarts = 0;
  #closed = false;

  private constructor(options: CaptionEngineOptions) {
    this.#command = options.command;
    this.#log = options.logger.child({ module: 'caption-engine' });
    this.#readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
    this.#restartDelay = options.restartDelayMs ?? { first: 250, max: 10_000 };
    this.#maxFailedRestarts = options.maxFailedRestarts ?? 6;
    this.events = new TypedEmitter((error, event) => this.#log.error({ err: error, event }, 'caption engine listener failed'));
    for (const { word, phones } of options.vocabulary ?? []) this.#remember(word, phones);
  }

  /**
   * Starts the engine process and waits for its `ready`. A command that cannot run
   * (missing, exits, never ready) rejects with CAPTIONS_UNAVAILABLE naming it.
   */
  static async start(options: CaptionEngineOptions): Promise<CaptionEngine> {
    if (options.command.length === 0 || !options.command[0]) {
      throw unavailable(options.command, 'is empty: set SPACECRAFT_CAPTION_ENGINE to a program');
    }
    const engine = new CaptionEngine(options);
    try {
      await engine.#spawn();
    } catch (error) {
      engine.close();
      throw error;
    }
    return engine;
  }

  get command(): readonly string[] {
    return this.#command;
  }

  /** Seconds of audio written so far (the engine's clock). */
  get audioSeconds(): number {
    return this.#streamBytes / BYTES_PER_SECOND;
  }

  /** Seconds of audio dropped because the process fell too far behind. */
  get droppedSeconds(): number {
    return this.#droppedBytes / BYTES_PER_SECOND;
  }

  /** How many times the process has been restarted after dying. */
  get restarts(): number {
    return this.#restarts;
  }

  /** The running process's id (for tests and diagnostics), or undefined between restarts. */
  get pid(): number | undefined {
    return this.#running?.child.pid;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Writes PCM (s16le, 16 kHz, mono; an even byte count). Dropped, clock still moving, while no process runs or it lags far behind. */
  write(pcm: Buffer): void {
    if (this.#closed || pcm.length === 0) return;
    if (pcm.length % 2 !== 0) throw new TypeError('PCM must be whole 16-bit samples');
    this.#streamBytes += pcm.length;
    const running = this.#running;
    const stdin = running?.child.stdin;
    if (!running?.ready || !stdin || stdin.destroyed || !stdin.writable) return;
    if (running.lagging || stdin.writableLength > MAX_QUEUED_AUDIO_BYTES) {
      // The process cannot keep up (an overloaded machine): drop rather than buffer without
      // end, and restart it, since its clock now runs behind ours. Captions resume live.
      this.#droppedBytes += pcm.length;
      if (!running.lagging) {
        running.lagging = true;
        this.#log.warn({ queued: stdin.writableLength }, 'caption engine is not keeping up with the audio; restarting it');
        running.child.kill('SIGKILL');
      }
      return;
    }
    stdin.write(pcm);
  }

  /** Adds a word with its pronunciation (PocketSphinx phones); it applies from now on, and after restarts. */
  addWord(word: string, phones: string): void {
    if (this.#closed) return;
    if (!ENGINE_WORD.test(word)) throw new ValidationError('A vocabulary word is 1 to 64 characters without spaces, brackets or quotes.');
    // CMU dictionary style stress digits (AO1) are not PocketSphinx phones: dropped.
    phones = phones.trim().replace(/\s+/g, ' ').replace(/\b([A-Z]+)[0-2]\b/g, '$1');
    if (phones.length > 500 || !ENGINE_PHONES.test(phones)) throw new ValidationError('Phones are upper-case phone names separated by spaces.');
    this.#remember(word, phones);
    this.#sendControl({ type: 'addWord', word, phones });
  }

  /** Ends the current utterance now (its final follows). */
  flush(): void {
    this.#sendControl({ type: 'flush' });
  }

  /** Stops the process (SIGTERM, SIGKILL if it lingers). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#restartTimer);
    const running = this.#running;
    this.#running = null;
    if (running) this.#stop(running.child);
    this.events.removeAllListeners();
  }

  #remember(word: string, phones: string): void {
    if (!this.#vocabulary.has(word) && this.#vocabulary.size >= MAX_VOCABULARY) {
      throw new SpacecraftError('LIMIT_EXCEEDED', `A speaker's caption vocabulary holds at most ${MAX_VOCABULARY} words.`);
    }
    this.#vocabulary.set(word, phones);
  }

  #sendControl(message: object): void {
    const control = this.#running?.control;
    if (!control || control.destroyed || !control.writable) return;
    control.write(`${JSON.stringify(message)}\n`);
  }

  #stop(child: ChildProcess): void {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin?.destroy();
    child.kill('SIGTERM');
    const hard = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }, 2000);
    hard.unref();
    child.once('exit', () => clearTimeout(hard));
  }

  /** Spawns a process; resolves on its `ready`, rejects (CAPTIONS_UNAVAILABLE) if it cannot start. */
  #spawn(): Promise<void> {
    const [program, ...args] = this.#command as [string, ...string[]];
    const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    const control = (child.stdio[3] as Writable | null) ?? null;
    const running: Running = {
      child,
      control,
      base: this.#streamBytes / BYTES_PER_SECOND,
      utteranceBase: this.#highestUtterance,
      ready: false,
      readyAt: 0,
      lagging: false,
      open: null,
      stderr: '',
    };
    this.#running = running;
    // A process gone away makes these pipes fail (EPIPE): the exit handler deals with it.
    child.stdin?.on('error', (error) => this.#log.debug({ err: error }, 'caption engine stdin closed'));
    control?.on('error', (error) => this.#log.debug({ err: error }, 'caption engine control pipe closed'));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      running.stderr = (running.stderr + text).slice(-STDERR_TAIL_BYTES);
      this.#log.debug({ stderr: text.trimEnd() }, 'caption engine stderr');
    });
    for (const [word, phones] of this.#vocabulary) control?.write(`${JSON.stringify({ type: 'addWord', word, phones })}\n`);

    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (error?: SpacecraftError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(readyTimer);
        if (error) reject(error);
        else resolve();
      };
      const readyTimer = setTimeout(() => {
        settle(unavailable(this.#command, `did not say it was ready within ${Math.round(this.#readyTimeoutMs / 1000)} s`));
        child.kill('SIGKILL');
      }, this.#readyTimeoutMs);

      this.#readLines(child, (line) => {
        if (line.type === 'ready') {
          if (!running.ready) {
            running.ready = true;
            running.readyAt = Date.now();
            // Its audio time 0 is the next byte written (audio before now was dropped).
            running.base = this.#streamBytes / BYTES_PER_SECOND;
            settle();
          }
          return;
        }
        if (line.type === 'error') {
          this.#log.warn({ message: line.message }, 'caption engine reported an error');
          return;
        }
        if (!running.ready || this.#running !== running) return;
        const result = this.#toStream(running, line);
        running.open = result.kind === 'partial' ? result : null;
        this.#highestUtterance = Math.max(this.#highestUtterance, result.utterance);
        this.events.safeEmit('result', result);
      });

      child.once('error', (error) => {
        // spawn failed (ENOENT, EACCES): 'exit' may not follow.
        settle(unavailable(this.#command, `cannot be started (${error.message})`));
        this.#onExit(running, null, null, error.message);
      });
      child.once('exit', (code, signal) => {
        const why = signal ? `was stopped by ${signal}` : `exited with code ${String(code)}`;
        const detail = running.stderr.trim().split('\n').slice(-3).join(' / ');
        settle(unavailable(this.#command, `${why} before it was ready${detail ? ` (${detail})` : ''}`));
        this.#onExit(running, code, signal, why);
      });
    });
  }

  #readLines(child: ChildProcess, onLine: (line: z.infer<typeof lineSchema>) => void): void {
    let pending = '';
    let discarding = false;
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      let text = pending + chunk;
      pending = '';
      let newline: number;
      while ((newline = text.indexOf('\n')) !== -1) {
        const line = text.slice(0, newline);
        text = text.slice(newline + 1);
        if (discarding) {
          discarding = false;
          continue;
        }
        this.#parseLine(line, onLine);
      }
      if (text.length > MAX_LINE_BYTES) {
        if (!discarding) this.#log.warn({ bytes: text.length }, 'caption engine line too long: dropped');
        discarding = true;
        text = '';
      }
      pending = text;
    });
  }

  #parseLine(line: string, onLine: (line: z.infer<typeof lineSchema>) => void): void {
    if (!line.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      this.#log.warn({ line: line.slice(0, 200) }, 'caption engine wrote a line that is not JSON: ignored');
      return;
    }
    const parsed = lineSchema.safeParse(json);
    if (!parsed.success) {
      this.#log.warn({ line: line.slice(0, 200), issue: parsed.error.issues[0]?.message }, 'caption engine wrote a line outside the protocol: ignored');
      return;
    }
    onLine(parsed.data);
  }

  #toStream(running: Running, line: Extract<z.infer<typeof lineSchema>, { type: 'partial' | 'final' }>): EngineResult {
    const t = (seconds: number): number => Math.round((running.base + seconds) * 1000) / 1000;
    return {
      kind: line.type,
      utterance: running.utteranceBase + line.utterance,
      text: line.text,
      words: line.words.map((w) => ({ word: w.word, start: t(w.start), end: t(w.end), confidence: w.confidence })),
      start: t(line.start),
      end: t(line.end),
    };
  }

  #onExit(running: Running, code: number | null, signal: NodeJS.Signals | null, why: string): void {
    if (this.#running !== running) return; // closed or already handled
    this.#running = null;
    // What was shown as partial stays: it becomes that utterance's final.
    if (running.open) this.events.safeEmit('result', { ...running.open, kind: 'final' });
    if (this.#closed) return;
    // Dying before `ready`, or soon after it, counts as a failed start (a flapping engine).
    if (!running.ready || Date.now() - running.readyAt < STABLE_AFTER_MS) this.#failedRestarts++;
    else this.#failedRestarts = 0;
    if (this.#failedRestarts > this.#maxFailedRestarts) {
      this.#log.error({ code, signal }, 'caption engine keeps failing: giving up');
      this.events.safeEmit('error', unavailable(this.#command, `keeps failing (${why})`));
      this.close();
      return;
    }
    const delay = Math.min(this.#restartDelay.max, this.#restartDelay.first * 2 ** Math.max(0, this.#failedRestarts - 1));
    this.#log.warn({ code, signal, delayMs: delay, stderr: running.stderr.slice(-500) }, 'caption engine died: restarting');
    this.#restartTimer = setTimeout(() => {
      if (this.#closed) return;
      this.#restarts++;
      this.#spawn().then(
        () => this.events.safeEmit('restarted'),
        (error: unknown) => this.#log.warn({ err: error }, 'caption engine restart failed'),
      );
    }, delay);
  }
}
