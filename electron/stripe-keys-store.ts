/**
 * The Stripe keys the studio's bundled server sells tickets with, kept in the studio's data folder
 * (`stripe-keys.json`, mode 0600, written atomically: a temporary file beside it, synced, then
 * renamed over it, so a crash leaves the old keys or the new ones, never half a file). The server
 * child is given only the file's path (SPACECRAFT_STRIPE_KEYS_FILE), never the keys: its
 * environment is inherited by the mediasoup workers. The file is read with the server's own reader
 * (server/payments/stripe-keys-file.ts), so the studio and the server agree on what is valid.
 * No `electron` import.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, fchmodSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { readStripeKeysFile } from '../server/payments/stripe-keys-file.ts';
import type { StripeKeys } from '../server/payments/stripe-keys.ts';

export const STRIPE_KEYS_FILE_NAME = 'stripe-keys.json';

export class StripeKeysStore {
  readonly dir: string;
  readonly path: string;

  constructor(dataDir: string) {
    this.dir = dataDir;
    this.path = join(dataDir, STRIPE_KEYS_FILE_NAME);
  }

  /** Whether keys are saved (valid or not). */
  exists(): boolean {
    return existsSync(this.path);
  }

  /** The saved keys, or null when none are saved; a damaged or opened-up file throws StripeKeysFileError. */
  read(): StripeKeys | null {
    if (!this.exists()) return null;
    return readStripeKeysFile(this.path);
  }

  /** What the server child's environment gets: the file's path, when there is a file. */
  serverEnv(): Record<string, string> {
    return this.exists() ? { SPACECRAFT_STRIPE_KEYS_FILE: this.path } : {};
  }

  /** Saves (or replaces) the keys, owner-only, atomically. */
  save(keys: StripeKeys): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const temporary = join(this.dir, `.${STRIPE_KEYS_FILE_NAME}.${randomUUID()}.tmp`);
    const fd = openSync(temporary, 'wx', 0o600);
    try {
      try {
        // The umask can only take bits away; on a file system that ignores the mode, say it again.
        if (process.platform !== 'win32') fchmodSync(fd, 0o600);
        writeSync(fd, `${JSON.stringify({ secretKey: keys.secretKey, webhookSecret: keys.webhookSecret })}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, this.path);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
    syncFolder(this.dir);
  }

  /** Removes the saved keys (nothing saved: nothing to do). */
  remove(): void {
    try {
      unlinkSync(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

/** Makes a rename in `dir` durable (POSIX); folders cannot be opened for this on Windows. */
function syncFolder(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
