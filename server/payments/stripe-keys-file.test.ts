import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';
import { keysFileModeSafe, MAX_KEYS_FILE_BYTES, readStripeKeysFile, StripeKeysFileError, type StripeKeysFileProblem } from './stripe-keys-file.ts';
import { maskedSecretKey } from './stripe-keys.ts';

const KEYS = { secretKey: 'sk_test_filekey0123456789abcd', webhookSecret: 'whsec_filesecret0123456789' };
const dir = mkdtempSync(join(tmpdir(), 'spacecraft-keys-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function keysFile(content: string, mode = 0o600): string {
  const path = join(dir, `keys-${n++}.json`);
  writeFileSync(path, content, { mode });
  chmodSync(path, mode);
  return path;
}

function problem(path: string): StripeKeysFileError {
  try {
    readStripeKeysFile(path, 'linux');
  } catch (error) {
    expect(error).toBeInstanceOf(StripeKeysFileError);
    return error as StripeKeysFileError;
  }
  throw new Error('the file was accepted');
}

function expectProblem(path: string, code: StripeKeysFileProblem, message: RegExp): void {
  const error = problem(path);
  expect(error.code).toBe(code);
  expect(error.message).toMatch(message);
  expect(error.message).not.toContain('filekey0123');
  expect(error.message).not.toContain('filesecret0123');
}

describe('the Stripe key file', () => {
  it('gives both secrets from a private file (0600 or 0400)', () => {
    expect(readStripeKeysFile(keysFile(JSON.stringify(KEYS)), 'linux')).toEqual(KEYS);
    expect(readStripeKeysFile(keysFile(JSON.stringify(KEYS), 0o400), 'linux')).toEqual(KEYS);
  });

  it('refuses a file other users may read (0644, 0640, 0604) and says how to fix it', () => {
    expectProblem(keysFile(JSON.stringify(KEYS), 0o644), 'too-open', /may be read by other users \(mode 0644\).*chmod 600/);
    expectProblem(keysFile(JSON.stringify(KEYS), 0o640), 'too-open', /mode 0640/);
    expectProblem(keysFile(JSON.stringify(KEYS), 0o604), 'too-open', /mode 0604/);
    // Windows has no mode bits (its ACLs keep a user's profile private).
    expect(keysFileModeSafe(0o100644, 'win32')).toBe(true);
    expect(keysFileModeSafe(0o100644, 'linux')).toBe(false);
  });

  it('says a missing file is missing, and a folder is not a file', () => {
    expectProblem(join(dir, 'nowhere.json'), 'missing', /key file .*nowhere\.json does not exist/);
    const folder = join(dir, 'a-folder');
    mkdirSync(folder, { mode: 0o700 });
    expectProblem(folder, 'not-a-file', /is not a file/);
    // A named pipe (nothing writing to it) is refused at once, not waited on.
    const fifo = join(dir, 'a-fifo');
    execFileSync('mkfifo', ['-m', '600', fifo]);
    expectProblem(fifo, 'not-a-file', /is not a file/);
  });

  it('refuses JSON that is not JSON without echoing the file', () => {
    expectProblem(keysFile(`secretKey=${KEYS.secretKey}`), 'not-json', /is not JSON like/);
    expectProblem(keysFile(''), 'not-json', /is not JSON/);
  });

  it('checks the keys by the same rules as the environment variables', () => {
    expectProblem(keysFile(JSON.stringify({ ...KEYS, secretKey: 'pk_test_filekey0123456789abcd' })), 'invalid', /secretKey must be a Stripe secret key/);
    expectProblem(keysFile(JSON.stringify({ ...KEYS, webhookSecret: 'filesecret0123456789' })), 'invalid', /webhookSecret must be a webhook signing secret/);
    expectProblem(keysFile(JSON.stringify({ secretKey: KEYS.secretKey })), 'invalid', /webhookSecret/);
    expectProblem(keysFile(JSON.stringify({ ...KEYS, publishableKey: 'pk' })), 'invalid', /Unrecognized key/);
    expectProblem(keysFile(JSON.stringify([KEYS])), 'invalid', /not valid/);
    expectProblem(keysFile(' '.repeat(MAX_KEYS_FILE_BYTES + 1)), 'too-large', /larger than/);
  });

  it('shows only the kind and last four characters of a saved key', () => {
    expect(maskedSecretKey(KEYS.secretKey)).toBe('sk_test_…abcd');
    expect(maskedSecretKey('rk_live_0123456789wxyz')).toBe('rk_live_…wxyz');
  });
});

describe('the server configuration with a key file', () => {
  it('takes the secrets from SPACECRAFT_STRIPE_KEYS_FILE', () => {
    const config = loadConfig({ SPACECRAFT_STRIPE_KEYS_FILE: keysFile(JSON.stringify(KEYS)) });
    expect(config.stripe).toMatchObject({ secretKey: KEYS.secretKey, webhookSecret: KEYS.webhookSecret });
  });

  it('lets the environment variables win over the file (which is then not read)', () => {
    const env = { SPACECRAFT_STRIPE_SECRET_KEY: 'sk_test_fromenv0123456789', SPACECRAFT_STRIPE_WEBHOOK_SECRET: 'whsec_fromenv0123456789' };
    expect(loadConfig({ ...env, SPACECRAFT_STRIPE_KEYS_FILE: keysFile(JSON.stringify(KEYS)) }).stripe).toMatchObject({ secretKey: env.SPACECRAFT_STRIPE_SECRET_KEY, webhookSecret: env.SPACECRAFT_STRIPE_WEBHOOK_SECRET });
    expect(loadConfig({ ...env, SPACECRAFT_STRIPE_KEYS_FILE: join(dir, 'nowhere.json') }).stripe.secretKey).toBe(env.SPACECRAFT_STRIPE_SECRET_KEY);
    expect(loadConfig({}).stripe).toMatchObject({ secretKey: null, webhookSecret: null });
  });

  it('stops the server with a config error sentence for a bad file', () => {
    for (const path of [keysFile(JSON.stringify(KEYS), 0o644), join(dir, 'nowhere.json'), keysFile('{')]) {
      let error: unknown;
      try {
        loadConfig({ SPACECRAFT_STRIPE_KEYS_FILE: path });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([expect.stringMatching(/^SPACECRAFT_STRIPE_KEYS_FILE: the Stripe key file /)]);
      expect((error as ConfigError).message).not.toContain('filekey0123');
    }
  });
});
