import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_DATA_DIR, loadConfig } from './config.ts';

describe('server config', () => {
  it('has working defaults: loopback, port 4400, no demo accounts', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ host: '127.0.0.1', port: 4400, rtc: { listenIp: '127.0.0.1', port: 0 }, logLevel: 'info', accounts: { demoData: false } });
    expect(config.workers).toBeGreaterThanOrEqual(1);
  });

  it('reads every setting from the environment', () => {
    const config = loadConfig({
      SPACECRAFT_HOST: '0.0.0.0',
      SPACECRAFT_PORT: '8080',
      SPACECRAFT_PUBLIC_URL: 'https://spaces.example.com/',
      SPACECRAFT_RTC_LISTEN_IP: '0.0.0.0',
      SPACECRAFT_RTC_ANNOUNCED_ADDRESS: '203.0.113.7',
      SPACECRAFT_RTC_PORT: '40000',
      SPACECRAFT_WORKERS: '3',
      SPACECRAFT_LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      publicUrl: 'https://spaces.example.com',
      rtc: { listenIp: '0.0.0.0', announcedAddress: '203.0.113.7', port: 40000 },
      workers: 3,
      logLevel: 'debug',
    });
  });

  it('fails fast, listing every bad key', () => {
    let error: unknown;
    try {
      loadConfig({ SPACECRAFT_PORT: 'eighty', SPACECRAFT_WORKERS: '0', SPACECRAFT_DEMO_DATA: 'perhaps', SPACECRAFT_RTC_LISTEN_IP: 'localhost' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const key of ['SPACECRAFT_PORT', 'SPACECRAFT_WORKERS', 'SPACECRAFT_DEMO_DATA', 'SPACECRAFT_RTC_LISTEN_IP']) expect(problems).toContain(key);
  });

  it('never echoes a secret in its error, though it names the key', () => {
    const secret = 'http://root:hunter2-secret@db';
    let error: unknown;
    try {
      loadConfig({ DATABASE_URL: secret, SPACECRAFT_PORT: 'eighty' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('DATABASE_URL');
    expect(message).toContain('"eighty"');
    expect(message).not.toContain(secret);
  });

  it('keeps the data in embedded PGlite by default, in memory for memory://, on PostgreSQL with DATABASE_URL', () => {
    expect(loadConfig({}).database).toEqual({ kind: 'pglite', dataDir: DEFAULT_DATA_DIR });
    expect(loadConfig({ SPACECRAFT_DATA_DIR: '/srv/spacecraft' }).database).toEqual({ kind: 'pglite', dataDir: '/srv/spacecraft' });
    expect(loadConfig({ SPACECRAFT_DATA_DIR: 'memory://' }).database).toEqual({ kind: 'pglite', dataDir: null });
    const url = 'postgres://spacecraft:pw@db.example.com:5432/spacecraft';
    expect(loadConfig({ DATABASE_URL: url, SPACECRAFT_DATA_DIR: '/srv/x' }).database).toEqual({ kind: 'postgres', url });
  });

  it('reads the account settings: 600 followers to host by default, demo accounts only when asked', () => {
    expect(loadConfig({}).accounts).toEqual({ hostMinFollowers: 600, sessionDays: 30, limits: { attemptsPerIp: 30, failedSignInsPerHandle: 10 }, demoData: false });
    const config = loadConfig({
      SPACECRAFT_HOST_MIN_FOLLOWERS: '0',
      SPACECRAFT_SESSION_DAYS: '7',
      SPACECRAFT_ACCOUNT_ATTEMPTS_PER_IP: '5',
      SPACECRAFT_FAILED_SIGN_INS_PER_HANDLE: '3',
      SPACECRAFT_DEMO_DATA: 'true',
    });
    expect(config.accounts).toEqual({ hostMinFollowers: 0, sessionDays: 7, limits: { attemptsPerIp: 5, failedSignInsPerHandle: 3 }, demoData: true });
    expect(loadConfig({ SPACECRAFT_DEMO_DATA: 'false' }).accounts.demoData).toBe(false);
    expect(() => loadConfig({ SPACECRAFT_HOST_MIN_FOLLOWERS: '-1', SPACECRAFT_SESSION_DAYS: '0' })).toThrow(/SPACECRAFT_HOST_MIN_FOLLOWERS[\s\S]*SPACECRAFT_SESSION_DAYS/);
  });

  it('names a bad DATABASE_URL but never shows it (it holds a password)', () => {
    const url = 'mysql://root:hunter2-secret@db';
    let error: unknown;
    try {
      loadConfig({ DATABASE_URL: url });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('DATABASE_URL');
    expect((error as ConfigError).message).not.toContain('hunter2');
  });

  it('reads allowed origins as normalised origins, and refuses what is not one', () => {
    expect(loadConfig({ SPACECRAFT_ALLOWED_ORIGINS: 'https://a.example.com/, http://127.0.0.1:4401 ,app://Studio' }).allowedOrigins).toEqual([
      'https://a.example.com',
      'http://127.0.0.1:4401',
      'app://studio',
    ]);
    for (const bad of ['javascript:alert(1)', 'file://', 'null', 'https://a.example.com/path', 'data://x']) {
      expect(() => loadConfig({ SPACECRAFT_ALLOWED_ORIGINS: bad }), bad).toThrow(/SPACECRAFT_ALLOWED_ORIGINS/);
    }
    expect(() => loadConfig({ SPACECRAFT_ALLOWED_ORIGINS: 'not an origin' })).toThrow(ConfigError);
  });

  it('has limits a crowd behind one address can live with, and lets an operator change them', () => {
    expect(loadConfig({}).limits).toEqual({ connectionsPerIpPerMinute: 300, joinsPerIpPerMinute: 300, liveSpacesPerAccount: 3 });
    const config = loadConfig({ SPACECRAFT_IP_CONNECTIONS_PER_MINUTE: '5', SPACECRAFT_LIVE_SPACES_PER_ACCOUNT: '1', SPACECRAFT_HOST_GRACE_MS: '0', SPACECRAFT_STATE_INTERVAL_MS: '250' });
    expect(config).toMatchObject({ limits: { connectionsPerIpPerMinute: 5, liveSpacesPerAccount: 1 }, hostGraceMs: 0, stateIntervalMs: 250 });
    expect(() => loadConfig({ SPACECRAFT_STATE_INTERVAL_MS: '0' })).toThrow(/SPACECRAFT_STATE_INTERVAL_MS/);
  });
});
