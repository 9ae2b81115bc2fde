/**
 * Tools that `./spacecraft setup` installs (ffmpeg, sox, Chromium, the mediasoup worker) are
 * required, never optional: a test that needs one fails with a message that says what to do,
 * rather than skipping and hiding the failure.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

/** The message every missing-tool failure carries. */
export function missingToolMessage(what: string, detail?: string): string {
  return `${what} is missing: run ./spacecraft setup${detail ? ` (${detail})` : ''}`;
}

/** Throws unless `command versionArgs...` runs and exits 0 (the command is looked up on PATH). */
export function requireCommand(command: string, versionArgs: string[]): void {
  try {
    execFileSync(command, versionArgs, { stdio: 'ignore', timeout: 10_000 });
  } catch (error) {
    throw new Error(missingToolMessage(command, `\`${[command, ...versionArgs].join(' ')}\` failed: ${(error as Error).message}`), { cause: error });
  }
}

/** Throws unless `path` is an executable file. */
export function requireExecutable(what: string, path: string): void {
  try {
    accessSync(path, constants.X_OK);
  } catch (error) {
    throw new Error(missingToolMessage(what, `no executable at ${path}`), { cause: error });
  }
}
