import { describe, expect, it } from 'vitest';
import { serverChildEnv } from './server-child.ts';

describe("the bundled server's environment", () => {
  const parent = {
    PATH: '/usr/bin',
    HOME: '/home/creator',
    LANG: 'en_GB.UTF-8',
    LC_ALL: 'en_GB.UTF-8',
    TMPDIR: '/tmp',
    NODE_ENV: 'production',
    MEDIASOUP_WORKER_BIN: '/opt/mediasoup-worker',
    SPACECRAFT_WORKERS: '2',
    SPACECRAFT_STRIPE_SECRET_KEY: 'sk_test_0123456789',
    SPACECRAFT_SESSION_TOKEN: 'session-token-0123456789',
    SPACECRAFT_DB_PASSWORD: 'hunter2',
    SPACECRAFT_SOME_SECRET: 'x',
    NODE_OPTIONS: '--require /tmp/evil.js',
    AWS_SECRET_ACCESS_KEY: 'aws',
    GITHUB_TOKEN: 'gh',
    SSH_AUTH_SOCK: '/tmp/ssh',
    ELECTRON_RUN_AS_NODE: '1',
  };

  it('keeps only the allow-listed variables, without secrets', () => {
    expect(serverChildEnv(parent, { SPACECRAFT_PORT: '0' })).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/creator',
      LANG: 'en_GB.UTF-8',
      LC_ALL: 'en_GB.UTF-8',
      TMPDIR: '/tmp',
      NODE_ENV: 'production',
      MEDIASOUP_WORKER_BIN: '/opt/mediasoup-worker',
      SPACECRAFT_WORKERS: '2',
      SPACECRAFT_PORT: '0',
    });
  });

  it('refuses a secret passed as a setting', () => {
    expect(() => serverChildEnv(parent, { SPACECRAFT_SESSION_TOKEN: 'x' })).toThrow(/SPACECRAFT_SESSION_TOKEN is a secret/);
    expect(() => serverChildEnv(parent, { SPACECRAFT_STRIPE_SECRET_KEY: 'x' })).toThrow(/SPACECRAFT_STRIPE_SECRET_KEY is a secret/);
  });

  it("passes the Stripe key file's path (not a secret: the keys stay in the 0600 file), never the keys", () => {
    const env = serverChildEnv(parent, { SPACECRAFT_STRIPE_KEYS_FILE: '/home/creator/.spacecraft/stripe-keys.json' });
    expect(env['SPACECRAFT_STRIPE_KEYS_FILE']).toBe('/home/creator/.spacecraft/stripe-keys.json');
    expect(Object.values(env).join('\n')).not.toMatch(/sk_test_|whsec_/);
    expect(() => serverChildEnv(parent, { SPACECRAFT_STRIPE_WEBHOOK_SECRET: 'whsec_x' })).toThrow(/is a secret/);
  });
});
