/**
 * What the bundled server child gets from the studio, whichever way it is
 * started (fork in browser mode, utilityProcess in Electron): an allow-listed
 * environment (no secrets: the mediasoup workers inherit it) and a rotating
 * log file for its output.
 */
import { mkdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';

/** Variables passed through by exact name (Windows needs a few of its own to run Node at all). */
const PASSED = new Set([
  'PATH',
  'HOME',
  'LANG',
  'TMPDIR',
  'NODE_ENV',
  'MEDIASOUP_WORKER_BIN',
  'TZ',
  // Windows
  'SystemRoot',
  'SYSTEMROOT',
  'windir',
  'TEMP',
  'TMP',
  'USERPROFILE',
  'APPDATA',
  'LOCALAPPDATA',
  'ComSpec',
  'PATHEXT',
]);

/** Spacecraft variables that are secrets: never in a child's environment. */
const SECRET = /TOKEN|SECRET|PASSWORD/i;

/**
 * The child's environment: the allow-listed part of the studio's own
 * (PATH, HOME, LANG and LC_*, TMPDIR, NODE_ENV, MEDIASOUP_WORKER_BIN, SPACECRAFT_*
 * but no secret), then the supervisor's settings on top (secrets refused there too).
 */
export function serverChildEnv(parent: NodeJS.ProcessEnv, settings: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  const allowed = (name: string) => PASSED.has(name) || name.startsWith('LC_') || (name.startsWith('SPACECRAFT_') && !SECRET.test(name));
  for (const [name, value] of Object.entries(parent)) if (value !== undefined && allowed(name)) env[name] = value;
  for (const [name, value] of Object.entries(settings)) {
    if (SECRET.test(name)) throw new TypeError(`${name} is a secret and cannot be passed in the server's environment.`);
    env[name] = value;
  }
  return env;
}

export type LogRotation = { maxSize: `${number}${'B' | 'K' | 'M' | 'G'}`; maxFiles: number };

export const DEFAULT_LOG_ROTATION: LogRotation = { maxSize: '10M', maxFiles: 5 };

/** `server.log`, rotated by size to server.log.1 … server.log.<maxFiles>. */
export function serverLogStream(logFile: string, rotation: LogRotation = DEFAULT_LOG_ROTATION): RotatingFileStream {
  mkdirSync(dirname(logFile), { recursive: true });
  return createStream(basename(logFile), { path: dirname(logFile), size: rotation.maxSize, rotate: rotation.maxFiles });
}
