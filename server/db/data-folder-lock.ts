/**
 * One server per data folder. PGlite does not lock its folder: a second process opens it without
 * error and one process's committed rows are lost (notes/database.md). So the server takes
 * `<folder>.lock` (created with O_EXCL, holding its pid and host) before opening the database and
 * removes it on close. A lock left by a process that no longer runs on this host (kill -9, a
 * crash) is taken over; a lock held by a live process, or by another host, stops the start with
 * a `DataFolderLockedError` that says which process holds it.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { SpacecraftError } from '../errors.ts';

type Holder = { pid: number; host: string };

export class DataFolderLockedError extends SpacecraftError {
  readonly lockFile: string;
  constructor(lockFile: string, holder: Holder | null) {
    const who = holder ? `process ${holder.pid} on ${holder.host}` : 'another process';
    super(
      'UNAVAILABLE',
      `The data folder is in use by ${who} (lock file ${lockFile}). Only one Spacecraft server may use a data folder: ` +
        'stop the other server, choose another SPACECRAFT_DATA_DIR, or delete the lock file if that process is surely gone.',
      { lockFile, holder },
    );
    this.name = 'DataFolderLockedError';
    this.lockFile = lockFile;
  }
}

export class DataFolderLock {
  readonly path: string;
  #released = false;

  private constructor(path: string) {
    this.path = path;
  }

  /** Takes the lock, or throws `DataFolderLockedError`. */
  static acquire(path: string): DataFolderLock {
    if (tryCreate(path)) return new DataFolderLock(path);
    const holder = readHolder(path);
    if (holder && holder.host === hostname() && !isAlive(holder.pid)) {
      // Stale: its process is gone. Remove it and try once more (if another starting server
      // wins that race, this one fails as it should).
      try {
        unlinkSync(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      if (tryCreate(path)) return new DataFolderLock(path);
    }
    throw new DataFolderLockedError(path, readHolder(path) ?? holder);
  }

  /** Idempotent; removes the file only if it is still this process's lock. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    const holder = readHolder(this.path);
    if (holder?.pid === process.pid && holder.host === hostname()) {
      try {
        unlinkSync(this.path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  }
}

function tryCreate(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname() } satisfies Holder));
  } finally {
    closeSync(fd);
  }
  return true;
}

function readHolder(path: string): Holder | null {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<Holder>;
    return typeof parsed.pid === 'number' && typeof parsed.host === 'string' ? { pid: parsed.pid, host: parsed.host } : null;
  } catch {
    return null; // missing, half-written or not ours: treated as held by someone unknown
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, but not ours to signal
  }
}
