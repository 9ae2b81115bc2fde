/** Runs ffmpeg as a test peer: bounded in time, stderr kept for diagnostics, killable from cleanup. */
import { spawn, type ChildProcess } from 'node:child_process';
import { requireCommand } from './require-tool.ts';

export type FfmpegResult = { code: number | null; signal: NodeJS.Signals | null; stderr: string; timedOut: boolean };

export type FfmpegRun = {
  process: ChildProcess;
  /** Resolves when ffmpeg exits (never rejects; a spawn error shows up as code null and the error text in stderr). */
  exited: Promise<FfmpegResult>;
  /** The stderr collected so far (capped). */
  stderr(): string;
  /** SIGKILLs ffmpeg if it is still running. Safe to call any number of times. */
  kill(): void;
};

const STDERR_CAP = 256 * 1024;

/** Throws "ffmpeg is missing: run ./spacecraft setup" unless ffmpeg runs. */
export function requireFfmpeg(): void {
  requireCommand('ffmpeg', ['-hide_banner', '-version']);
}

/**
 * Starts `ffmpeg -hide_banner -nostdin ...args`. After `timeoutMs` it is
 * sent SIGINT (ffmpeg then finishes its output file cleanly), and SIGKILL
 * two seconds later if it still runs.
 */
export function startFfmpeg(args: string[], options: { timeoutMs: number }): FfmpegRun {
  const child = spawn('ffmpeg', ['-hide_banner', '-nostdin', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let timedOut = false;
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_CAP);
  });
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  let hardKill: NodeJS.Timeout | undefined;
  const softKill = setTimeout(() => {
    if (!running()) return;
    timedOut = true;
    child.kill('SIGINT');
    hardKill = setTimeout(() => running() && child.kill('SIGKILL'), 2000);
  }, options.timeoutMs);
  const exited = new Promise<FfmpegResult>((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      clearTimeout(softKill);
      clearTimeout(hardKill);
      resolve({ code, signal, stderr, timedOut });
    };
    child.once('error', (error) => {
      stderr += `\nspawn error: ${error.message}`;
      finish(null, null);
    });
    child.once('close', finish);
  });
  return {
    process: child,
    exited,
    stderr: () => stderr,
    kill: () => {
      if (running()) child.kill('SIGKILL');
    },
  };
}

/** The last `lines` non-empty stderr lines: for assertion messages. */
export function tail(text: string, lines = 12): string {
  return text.split(/\r?\n|\r/).filter((l) => l.trim()).slice(-lines).join('\n');
}
