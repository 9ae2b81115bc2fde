/**
 * Exactly once across crashes, on PGlite (a data folder) and PostgreSQL: a real server child is
 * SIGKILLed (nothing flushed, nothing closed) between setting reminders and their due time, and
 * again in the middle of sending them; a new server on the same database sends every reminder.
 *
 * What is checked is what a recipient sees: one reminder e-mail per person (mailboxes show one
 * message per Message-ID) and one push per person (the push service keeps one message per Topic).
 * A killed sender may have handed a message to the SMTP server or push service without recording
 * it: that one goes out again after its lease, with the same Message-ID or Topic. The test counts
 * those raw re-sends too, and checks that they only ever repeat an identical Message-ID.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_CREATOR, DEMO_PASSWORD } from '../../server/db/seed.ts';
import { useForkedServers } from '../support/forked-server.ts';
import { freePort } from '../support/free-port.ts';
import { databaseEnv } from '../support/http-api.ts';
import { PushEndpoint, type TestSubscription } from '../support/push-endpoint.ts';
import { signIn } from '../support/server-fixture.ts';
import { SmtpSink } from '../support/smtp-sink.ts';
import { BACKENDS, useTestDatabases } from '../support/test-databases.ts';

const LISTENERS = 12;
const databases = useTestDatabases();
const servers = useForkedServers();
const closers: Array<() => Promise<void>> = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterAll(async () => {
  for (const close of closers.splice(0)) await close();
});

const startChild = (env: Record<string, string>) => servers.start({ SPACECRAFT_DEMO_DATA: 'true', SPACECRAFT_HOST_MIN_FOLLOWERS: '3', SPACECRAFT_ACCOUNT_ATTEMPTS_PER_IP: '10000', ...env });
const crash = servers.crash;

async function json(url: string, method: string, token: string | null, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { method, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

type Listener = { email: string; subscription: TestSubscription };

/** Listeners (signed up now, each with a browser subscribed) with an e-mail and push reminder on a Space starting in `seconds`. */
async function setReminders(url: string, push: PushEndpoint, tag: string, seconds: number): Promise<{ spaceId: string; startsAt: Date; listeners: Listener[] }> {
  const tokens: string[] = [];
  const listeners: Listener[] = [];
  for (let i = 0; i < LISTENERS; i++) {
    const signedUp = await json(`${url}/api/accounts`, 'POST', null, { handle: `${tag}_${i}`, displayName: `Listener ${i}`, password: 'a long enough password' });
    expect(signedUp.status, JSON.stringify(signedUp.body)).toBe(201);
    const token = signedUp.body['token'] as string;
    const subscription = push.subscription();
    expect((await json(`${url}/api/accounts/me/push-subscriptions`, 'POST', token, { endpoint: subscription.endpoint, keys: subscription.keys })).status).toBe(204);
    tokens.push(token);
    listeners.push({ email: `${tag}.${i}@example.com`, subscription });
  }
  const host = await signIn(url, DEMO_CREATOR.handle, DEMO_PASSWORD);
  const startsAt = new Date(Math.ceil(Date.now() / 1000 + seconds) * 1000);
  const scheduled = await json(`${url}/api/spaces`, 'POST', host, { title: `Crash ${tag}`, startsAt: startsAt.toISOString(), timeZone: 'UTC' });
  expect(scheduled.status).toBe(201);
  const spaceId = scheduled.body['id'] as string;
  await Promise.all(
    tokens.map(async (token, i) => {
      const set = await json(`${url}/api/spaces/${spaceId}/reminder`, 'PUT', token, { channels: ['email', 'push'], email: listeners[i]!.email });
      expect(set.status, JSON.stringify(set.body)).toBe(200);
    }),
  );
  return { spaceId, startsAt, listeners };
}

function expectExactlyOnce(sink: SmtpSink, push: PushEndpoint, spaceId: string, listeners: Listener[]): { emailResends: number; pushResends: number } {
  let emailResends = 0;
  let pushResends = 0;
  for (const listener of listeners) {
    const copies = sink.all.filter((m) => m.envelopeTo.includes(listener.email) && (m.text ?? '').includes(`/s/${spaceId}`));
    expect(sink.to(listener.email).filter((m) => (m.text ?? '').includes(`/s/${spaceId}`)), listener.email).toHaveLength(1);
    expect(new Set(copies.map((m) => m.messageId)).size).toBe(1);
    emailResends += copies.length - 1;
    const pushes = push.messages.filter((m) => m.subscription === listener.subscription.id);
    expect(push.unique().filter((m) => m.subscription === listener.subscription.id), listener.email).toHaveLength(1);
    expect(new Set(pushes.map((m) => m.topic)).size).toBe(1);
    pushResends += pushes.length - 1;
  }
  return { emailResends, pushResends };
}

/** A fresh database, an SMTP server and a push service, and the environment of a server using them (a port kept across its restarts, sweeps every second, 5 s leases). */
async function receiversAndEnv(backend: (typeof BACKENDS)[number]): Promise<{ sink: SmtpSink; push: PushEndpoint; env: Record<string, string> }> {
  const sink = await SmtpSink.start();
  const push = await PushEndpoint.start();
  closers.push(() => sink.close(), () => push.close());
  const port = await freePort();
  const env = { ...databaseEnv(await databases.fresh(backend)), SPACECRAFT_PORT: String(port), SPACECRAFT_SMTP_URL: sink.url, SPACECRAFT_PUSH_ENDPOINT_ORIGINS: push.origin, SPACECRAFT_REMINDER_SWEEP_SECONDS: '1', SPACECRAFT_REMINDER_LEASE_SECONDS: '5' };
  return { sink, push, env };
}

describe.each(BACKENDS)('reminders across a crash on %s', { timeout: 180_000 }, (backend) => {
  it('a server killed between setting reminders and their time sends each once when it is back, late', async () => {
    const { sink, push, env } = await receiversAndEnv(backend);
    const first = await startChild(env);
    const { spaceId, startsAt, listeners } = await setReminders(first.url, push, `a${backend.slice(0, 2)}`, 6);
    await crash(first);
    expect(sink.all).toHaveLength(0);
    // Down at the due time.
    await sleep(Math.max(0, startsAt.getTime() - Date.now()) + 1000);
    const second = await startChild(env);
    await sink.waitFor(() => listeners.every((l) => sink.to(l.email).length > 0), 60_000, 'every reminder e-mail');
    await push.waitFor(() => listeners.every((l) => push.messages.some((m) => m.subscription === l.subscription.id)), 60_000, 'every push');
    await sleep(3000); // a few sweeps: nothing more comes
    const resends = expectExactlyOnce(sink, push, spaceId, listeners);
    expect(resends).toEqual({ emailResends: 0, pushResends: 0 });
    await crash(second);
  });

  it('a server killed in the middle of sending finishes after restart, nobody told twice', async () => {
    const { sink, push, env } = await receiversAndEnv(backend);
    const first = await startChild(env);
    // Slow receivers: sending the 24 reminders takes seconds, so the kill lands in the middle.
    sink.acceptDelayMs = 400;
    push.acceptDelayMs = 400;
    const { spaceId, listeners } = await setReminders(first.url, push, `b${backend.slice(0, 2)}`, 5);
    await sink.waitFor((s) => s.all.length >= 3, 60_000, 'the first reminders');
    await crash(first);
    const before = { mails: sink.all.length, pushes: push.messages.length };
    expect(before.mails).toBeLessThan(LISTENERS);
    sink.acceptDelayMs = 0;
    push.acceptDelayMs = 0;
    const second = await startChild(env);
    await sink.waitFor(() => listeners.every((l) => sink.to(l.email).length > 0), 60_000, 'every reminder e-mail');
    await push.waitFor(() => listeners.every((l) => push.messages.some((m) => m.subscription === l.subscription.id)), 60_000, 'every push');
    await sleep(3000); // sweeps run: nothing more comes
    const resends = expectExactlyOnce(sink, push, spaceId, listeners);
    console.info(`[${backend}] killed after ${before.mails} e-mails and ${before.pushes} pushes had arrived; re-sent with the same Message-ID/Topic after restart: ${resends.emailResends} e-mails, ${resends.pushResends} pushes`);
    await crash(second);
  });
});
