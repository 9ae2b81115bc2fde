/**
 * The Stripe key file (SPACECRAFT_STRIPE_KEYS_FILE): the server's two Stripe secrets as JSON,
 * `{ "secretKey": "sk_…", "webhookSecret": "whsec_…" }`, so that they need not be in the server's
 * environment (the studio's bundled server: its mediasoup workers inherit that environment).
 *
 * On POSIX the file must be closed to group and others (mode 0600 or 0400), like an SSH key. Every
 * failure is a `StripeKeysFileError` whose `code` says what is wrong and whose message is a sentence
 * that names the file but never shows a secret (nor a JSON parser's excerpt of the file).
 */
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { safeParse } from '../lib/safe-parse.ts';
import { stripeKeysSchema, type StripeKeys } from './stripe-keys.ts';

/** Far more than two keys need; a bigger file is not read. */
export const MAX_KEYS_FILE_BYTES = 16 * 1024;

export type StripeKeysFileProblem = 'missing' | 'unreadable' | 'not-a-file' | 'too-open' | 'too-large' | 'not-json' | 'invalid';

export class StripeKeysFileError extends Error {
  readonly code: StripeKeysFileProblem;
  readonly path: string;

  constructor(code: StripeKeysFileProblem, path: string, message: string) {
    super(message);
    this.name = 'StripeKeysFileError';
    this.code = code;
    this.path = path;
  }
}

/** Whether a file of this mode may hold secrets: nothing for group or others. Windows has no such bits (ACLs instead). */
export function keysFileModeSafe(mode: number, platform: NodeJS.Platform = process.platform): boolean {
  return platform === 'win32' || (mode & 0o077) === 0;
}

/** Reads and checks the key file (one open: the mode checked is the mode of the file read). */
export function readStripeKeysFile(path: string, platform: NodeJS.Platform = process.platform): StripeKeys {
  const fail = (code: StripeKeysFileProblem, what: string) => new StripeKeysFileError(code, path, `the Stripe key file ${path} ${what}`);
  let fd: number;
  try {
    // Non-blocking: a FIFO in its place must not hang the start (it is then refused as not a file).
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw fail('missing', 'does not exist');
    throw fail('unreadable', `cannot be read (${code ?? 'error'})`);
  }
  let text: string;
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw fail('not-a-file', 'is not a file');
    if (!keysFileModeSafe(stat.mode, platform)) {
      const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
      throw fail('too-open', `may be read by other users (mode ${mode}); make it private to its owner: chmod 600 ${path}`);
    }
    if (stat.size > MAX_KEYS_FILE_BYTES) throw fail('too-large', `is larger than ${MAX_KEYS_FILE_BYTES} bytes`);
    text = readFileSync(fd, 'utf8');
  } catch (error) {
    if (error instanceof StripeKeysFileError) throw error;
    throw fail('unreadable', `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  } finally {
    closeSync(fd);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw fail('not-json', 'is not JSON like {"secretKey": "sk_…", "webhookSecret": "whsec_…"}');
  }
  const parsed = safeParse(stripeKeysSchema, json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(file)'} ${issue.message}`);
    throw fail('invalid', `is not valid: ${problems.join('; ')}`);
  }
  return parsed.data;
}
