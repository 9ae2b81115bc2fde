/**
 * Hostile callers of the reminder API, on a server without e-mail (SPACECRAFT_SMTP_URL unset): the
 * e-mail and calendar channels say clearly that e-mail is not configured; reminders are
 * rate-limited per account and per Space; addresses, channels, lead times and push subscriptions
 * are validated; a foreign page (another Origin, cookies, no bearer token) can neither set nor
 * remove anyone's reminder and gets no CORS header to read an answer with; nothing crashes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/db/seed.ts';
import { api, expectHarmless, type Call } from '../support/http-api.ts';
import { signIn, startTestServer, type TestServer } from '../support/server-fixture.ts';

describe('the reminder API under abuse', { timeout: 60_000 }, () => {
  let server: TestServer;
  let call: Call;
  let ada: string;
  let bob: string;
  let cyd: string;
  let spaceId: string;
  const remindersOf = async (token: string) => (await call('GET', '/api/accounts/me/reminders', { token })).body['reminders'];

  beforeAll(async () => {
    server = await startTestServer({ SPACECRAFT_HOST_MIN_FOLLOWERS: '3', SPACECRAFT_REMINDERS_PER_ACCOUNT_PER_MINUTE: '6', SPACECRAFT_REMINDERS_PER_SPACE_PER_MINUTE: '4' });
    call = api(server);
    [ada, bob, cyd] = await Promise.all(['demo_ada', 'demo_bob', 'demo_cyd'].map((handle) => signIn(server.url, handle, DEMO_PASSWORD))) as [string, string, string];
    const scheduled = await call('POST', '/api/spaces', { token: server.hostToken, body: { title: 'Abused', startsAt: new Date(Date.now() + 3600_000).toISOString(), timeZone: 'UTC' } });
    spaceId = scheduled.body['id'] as string;
  });
  afterAll(async () => server?.close());

  it('says e-mail is not configured for e-mail and calendar reminders', async () => {
    const settings = await call('GET', '/api/reminders/settings');
    expect(settings.body).toMatchObject({ emailConfigured: false });
    expect(settings.body['vapidPublicKey']).toMatch(/^[A-Za-z0-9_-]{87}$/);
    for (const channels of [['email'], ['calendar'], ['push', 'email']]) {
      const answer = await call('PUT', `/api/spaces/${spaceId}/reminder`, { token: ada, body: { channels, email: 'ada@example.com' } });
      expect(answer.status).toBe(503);
      expect(answer.body.error).toMatchObject({ code: 'UNAVAILABLE' });
      expect(answer.body.error?.message).toMatch(/E-mail is not configured on this server/);
    }
    // Push needs a browser first.
    expect((await call('PUT', `/api/spaces/${spaceId}/reminder`, { token: ada, body: { channels: ['push'] } })).body.error?.code).toBe('INVALID_STATE');
  });

  it('refuses bad channels, lead times, addresses, zones and push subscriptions, storing nothing', async () => {
    const bodies: unknown[] = [
      { channels: [] },
      { channels: ['sms'] },
      { channels: ['push'], minutesBefore: 0 },
      { channels: ['push'], minutesBefore: 100000 },
      { channels: ['push'], minutesBefore: 1.5 },
      { channels: ['push'], timeZone: 'Mars/Olympus' },
      { channels: ['push'], email: 'a@x.com\r\nBcc: everyone@example.com' },
      { channels: 'push' },
      { channels: ['push'], extra: true },
      null,
    ];
    for (const body of bodies) {
      await expectHarmless(await call('PUT', `/api/spaces/${spaceId}/reminder`, { token: cyd, body }), [], () => remindersOf(cyd));
    }
    for (const email of ['not-an-address', 'a@localhost', 'Ada <ada@example.com>', 'x'.repeat(300)]) {
      const answer = await call('PUT', '/api/accounts/me/reminder-contact', { token: cyd, body: { email } });
      expect(answer.body.error?.code, email).toBe('VALIDATION');
    }
    const badSubscriptions: unknown[] = [
      { endpoint: 'http://127.0.0.1:9/push', keys: { p256dh: 'B'.repeat(87), auth: 'a'.repeat(22) } },
      { endpoint: 'https://169.254.169.254/latest', keys: { p256dh: 'B'.repeat(87), auth: 'a'.repeat(22) } },
      { endpoint: 'https://push.example.com/x', keys: { p256dh: 'short', auth: 'a'.repeat(22) } },
      { endpoint: 'https://push.example.com/x', keys: { p256dh: 'A'.repeat(87), auth: 'a'.repeat(22) } },
      { endpoint: 'https://push.example.com/x' },
    ];
    for (const body of badSubscriptions) {
      const answer = await call('POST', '/api/accounts/me/push-subscriptions', { token: cyd, body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
    }
    expect((await call('PUT', '/api/spaces/not%20an%20id/reminder', { token: cyd, body: { channels: ['push'] } })).status).toBe(400);
    expect((await call('PUT', '/api/spaces/nosuchspace/reminder', { token: cyd, body: { channels: ['calendar'] } })).status).toBe(503);
  });

  it('a foreign page cannot set, remove or read a reminder (no cookie counts, no CORS answer)', async () => {
    const evil = { origin: 'https://evil.example', cookie: 'session=whatever' };
    for (const [method, path] of [['PUT', `/api/spaces/${spaceId}/reminder`], ['DELETE', `/api/spaces/${spaceId}/reminder`], ['GET', '/api/accounts/me/reminders'], ['POST', '/api/accounts/me/push-subscriptions'], ['PUT', '/api/accounts/me/creator-reminders/demo_creator']] as const) {
      const hasBody = method !== 'GET' && method !== 'DELETE';
      const response = await fetch(`${server.url}${path}`, { method, headers: hasBody ? { ...evil, 'content-type': 'application/json' } : evil, ...(hasBody ? { body: JSON.stringify({ channels: ['push'] }) } : {}) });
      expect([401, 403], `${method} ${path}`).toContain(response.status);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    }
    const preflight = await fetch(`${server.url}/api/spaces/${spaceId}/reminder`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization,content-type' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-headers')).toBeNull();
    // A forged unsubscribe link does nothing.
    expect((await fetch(`${server.url}/api/reminders/unsubscribe?token=${'A'.repeat(43)}`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${server.url}/api/reminders/unsubscribe?token=../../etc`, { method: 'POST' })).status).toBe(404);
  });

  it('rate-limits changes per account and reminders per Space', async () => {
    // A browser for bob and ada (push needs one).
    for (const token of [bob, ada]) {
      const answer = await call('POST', '/api/accounts/me/push-subscriptions', { token, body: { endpoint: `https://push.example.com/${token.slice(0, 8)}`, keys: { p256dh: `B${'A'.repeat(86)}`, auth: 'a'.repeat(22) } } });
      expect(answer.status, JSON.stringify(answer.body)).toBe(204);
    }
    const codes: string[] = [];
    for (let i = 0; i < 8; i++) {
      const answer = await call('PUT', `/api/spaces/${spaceId}/reminder`, { token: bob, body: { channels: ['push'], minutesBefore: 10 + i } });
      codes.push(answer.status === 200 ? 'ok' : answer.body.error!.code);
    }
    expect(codes).toContain('RATE_LIMITED');
    expect(codes.filter((c) => c === 'ok').length).toBeLessThanOrEqual(5);
    // The Space's own limit: 4 per minute whoever asks; bob used some of them.
    const ada1 = await call('PUT', `/api/spaces/${spaceId}/reminder`, { token: ada, body: { channels: ['push'] } });
    const ada2 = await call('PUT', `/api/spaces/${spaceId}/reminder`, { token: ada, body: { channels: ['push'] } });
    expect([ada1, ada2].map((a) => a.body.error?.code ?? 'ok')).toContain('RATE_LIMITED');
    expect(ada2.body.error?.details).toMatchObject({ retryAfterMs: expect.any(Number) });
  });
});
