/**
 * Reminders end to end on a real server, on PGlite and PostgreSQL: a listener sets a reminder on a
 * scheduled Space (e-mail, push, calendar); a real SMTP server and a local push service receive
 * what the server sends, and the test reads it (mailparser; RFC 8291 decryption). Due times are
 * real pg-boss jobs a few seconds ahead. Moving a Space moves its reminders and e-mails the
 * updated calendar entry (SEQUENCE 1); cancelling cancels them (METHOD:CANCEL); a follower opted in
 * to a creator hears of their new Space; one-click unsubscribe stops the e-mail.
 */
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/db/seed.ts';
import { api, databaseEnv, type Call } from '../support/http-api.ts';
import { PushEndpoint, type TestSubscription } from '../support/push-endpoint.ts';
import { signIn, startTestServer, type TestServer } from '../support/server-fixture.ts';
import { SmtpSink, type SinkMail } from '../support/smtp-sink.ts';
import { BACKENDS, useTestDatabases } from '../support/test-databases.ts';

const databases = useTestDatabases();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// Whole seconds: a calendar entry keeps no milliseconds.
const inSeconds = (s: number) => new Date(Math.ceil(Date.now() / 1000 + s) * 1000);

function icsOf(mail: SinkMail): { method: string; sequence: number; start: Date; uid: string } {
  const part = mail.attachments.find((a) => a.contentType === 'text/calendar');
  const text = part ? part.content.toString('utf8') : (/BEGIN:VCALENDAR[\s\S]*END:VCALENDAR/.exec(mail.raw.replace(/=\r?\n/g, ''))?.[0] ?? '');
  const calendar = new ICAL.Component(ICAL.parse(text));
  for (const zone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(new ICAL.Timezone(zone));
  const event = new ICAL.Event(calendar.getFirstSubcomponent('vevent')!);
  return { method: String(calendar.getFirstPropertyValue('method')), sequence: event.sequence, start: event.startDate.toJSDate(), uid: event.uid };
}

describe.each(BACKENDS)('reminders on %s', { timeout: 120_000 }, (backend) => {
  let server: TestServer;
  let sink: SmtpSink;
  let push: PushEndpoint;
  let call: Call;
  const tokens: Record<string, string> = {};
  const subscriptions: Record<string, TestSubscription> = {};

  beforeAll(async () => {
    sink = await SmtpSink.start();
    push = await PushEndpoint.start();
    server = await startTestServer({
      ...databaseEnv(await databases.fresh(backend)),
      SPACECRAFT_HOST_MIN_FOLLOWERS: '3',
      SPACECRAFT_SMTP_URL: sink.url,
      SPACECRAFT_MAIL_FROM: 'Spacecraft <reminders@spaces.test>',
      SPACECRAFT_PUSH_ENDPOINT_ORIGINS: push.origin,
      SPACECRAFT_REMINDER_SWEEP_SECONDS: '1',
    });
    call = api(server);
    for (const handle of ['demo_ada', 'demo_bob', 'demo_cyd']) {
      tokens[handle] = await signIn(server.url, handle, DEMO_PASSWORD);
      const subscription = push.subscription();
      subscriptions[handle] = subscription;
      expect((await call('POST', '/api/accounts/me/push-subscriptions', { token: tokens[handle], body: { endpoint: subscription.endpoint, keys: subscription.keys, expirationTime: null } })).status).toBe(204);
    }
  });
  afterAll(async () => {
    await server?.close();
    await sink?.close();
    await push?.close();
  });

  async function schedule(title: string, startsAt: Date, timeZone = 'America/New_York'): Promise<string> {
    const answer = await call('POST', '/api/spaces', { token: server.hostToken, body: { title, startsAt: startsAt.toISOString(), timeZone } });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return answer.body['id'] as string;
  }

  const pushesFor = (handle: string, spaceId: string) => push.unique().filter((m) => m.subscription === subscriptions[handle]!.id && m.payload.url.endsWith(`/s/${spaceId}`));
  const mailsAbout = (to: string, spaceId: string) => sink.to(to).filter((m) => (m.text ?? '').includes(`/s/${spaceId}`));

  it('sends the calendar entry at once, then e-mail and push at the start, each once, in the listener\'s zone', async () => {
    const startsAt = inSeconds(5);
    const spaceId = await schedule('Morning show', startsAt);
    const set = await call('PUT', `/api/spaces/${spaceId}/reminder`, { token: tokens['demo_ada'], body: { channels: ['email', 'push', 'calendar'], email: 'Ada@Example.com', timeZone: 'Asia/Tokyo' } });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toMatchObject({ spaceId, channels: ['email', 'push', 'calendar'], minutesBefore: null });
    expect((await call('GET', `/api/spaces/${spaceId}/reminder`, { token: tokens['demo_ada'] })).body).toMatchObject({ channels: ['email', 'push', 'calendar'] });

    await sink.waitFor(() => mailsAbout('Ada@example.com', spaceId).length >= 1, 30_000, 'the calendar invitation');
    const invitation = mailsAbout('Ada@example.com', spaceId)[0]!;
    expect(icsOf(invitation)).toMatchObject({ method: 'REQUEST', sequence: 0, start: startsAt });

    await sink.waitFor(() => mailsAbout('Ada@example.com', spaceId).length >= 2, 30_000, 'the reminder e-mail');
    await push.waitFor(() => pushesFor('demo_ada', spaceId).length >= 1, 30_000, 'the push');
    const reminder = mailsAbout('Ada@example.com', spaceId)[1]!;
    expect(Date.now()).toBeGreaterThanOrEqual(startsAt.getTime());
    expect(reminder.subject).toMatch(/^Morning show (starts now|started \d+ minutes? ago)$/);
    // The start as the listener reads it: Tokyo time, named.
    const tokyo = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit' }).format(startsAt);
    expect(reminder.text).toContain(tokyo);
    expect(reminder.text).toContain('(Asia/Tokyo)');
    expect(reminder.html).toContain(`${server.url}/s/${spaceId}`);
    expect(icsOf(reminder).uid).toBe(icsOf(invitation).uid);
    expect(reminder.raw).toMatch(/^List-Unsubscribe:\s+<[^>]+\/api\/reminders\/unsubscribe\?token=[\w-]{43}>/m);
    expect(reminder.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    expect(pushesFor('demo_ada', spaceId)[0]!.payload).toMatchObject({ title: 'Morning show', url: `${server.url}/s/${spaceId}` });

    // A few sweeps later: still exactly one of each (the job and the sweeps all saw the ledger).
    await sleep(2500);
    expect(mailsAbout('Ada@example.com', spaceId)).toHaveLength(2);
    expect(sink.all.filter((m) => (m.text ?? '').includes(`/s/${spaceId}`))).toHaveLength(2);
    expect(push.messages.filter((m) => m.payload.url.endsWith(`/s/${spaceId}`))).toHaveLength(1);
  });

  it('moves reminders with the Space and e-mails the updated entry (SEQUENCE 1)', async () => {
    const firstStart = inSeconds(4);
    const spaceId = await schedule('Moved show', firstStart);
    expect((await call('PUT', `/api/spaces/${spaceId}/reminder`, { token: tokens['demo_bob'], body: { channels: ['email', 'calendar'], email: 'bob@example.com' } })).status).toBe(200);
    await sink.waitFor(() => mailsAbout('bob@example.com', spaceId).length >= 1, 30_000, 'the calendar invitation');
    const newStart = inSeconds(9);
    expect((await call('PATCH', `/api/spaces/${spaceId}`, { token: server.hostToken, body: { startsAt: newStart.toISOString() } })).status).toBe(200);
    await sink.waitFor(() => mailsAbout('bob@example.com', spaceId).some((m) => (m.subject ?? '').startsWith('Updated:')), 30_000, 'the updated entry');
    const update = mailsAbout('bob@example.com', spaceId).find((m) => (m.subject ?? '').startsWith('Updated:'))!;
    expect(icsOf(update)).toMatchObject({ method: 'REQUEST', sequence: 1, start: newStart });
    await sink.waitFor(() => mailsAbout('bob@example.com', spaceId).some((m) => /starts now|started/.test(m.subject ?? '')), 30_000, 'the reminder');
    // Sent for the new time, not the old one.
    expect(Date.now()).toBeGreaterThanOrEqual(newStart.getTime());
    await sleep(2000);
    expect(mailsAbout('bob@example.com', spaceId).filter((m) => /starts now|started/.test(m.subject ?? ''))).toHaveLength(1);
    expect(mailsAbout('bob@example.com', spaceId)).toHaveLength(3);
  });

  it('cancelling sends METHOD:CANCEL to who added it and no reminder', async () => {
    const startsAt = inSeconds(4);
    const spaceId = await schedule('Cancelled show', startsAt);
    expect((await call('PUT', `/api/spaces/${spaceId}/reminder`, { token: tokens['demo_cyd'], body: { channels: ['email', 'push', 'calendar'], email: 'cyd@example.com' } })).status).toBe(200);
    await sink.waitFor(() => mailsAbout('cyd@example.com', spaceId).length >= 1, 30_000, 'the calendar invitation');
    expect((await call('POST', `/api/spaces/${spaceId}/cancel`, { token: server.hostToken })).status).toBe(200);
    await sink.waitFor(() => mailsAbout('cyd@example.com', spaceId).some((m) => (m.subject ?? '').startsWith('Cancelled:')), 30_000, 'the cancellation');
    const cancel = mailsAbout('cyd@example.com', spaceId).find((m) => (m.subject ?? '').startsWith('Cancelled:'))!;
    expect(icsOf(cancel)).toMatchObject({ method: 'CANCEL', sequence: 1 });
    await sleep(Math.max(0, startsAt.getTime() - Date.now()) + 2500);
    expect(mailsAbout('cyd@example.com', spaceId)).toHaveLength(2);
    expect(pushesFor('demo_cyd', spaceId)).toHaveLength(0);
    // Nothing more can be set on it.
    expect((await call('PUT', `/api/spaces/${spaceId}/reminder`, { token: tokens['demo_bob'], body: { channels: ['push'] } })).body.error?.code).toBe('INVALID_STATE');
  });

  it('a follower opted in to a creator hears of the Space they schedule next, once', async () => {
    expect((await call('PUT', '/api/accounts/me/following/demo_creator', { token: tokens['demo_bob'] })).status).toBe(200);
    const optIn = await call('PUT', '/api/accounts/me/creator-reminders/demo_creator', { token: tokens['demo_bob'], body: { channels: ['push'] } });
    expect(optIn.status, JSON.stringify(optIn.body)).toBe(200);
    const spaceId = await schedule('For my followers', inSeconds(4));
    await push.waitFor(() => pushesFor('demo_bob', spaceId).length >= 1, 30_000, 'the follower push');
    await sleep(2000);
    expect(pushesFor('demo_bob', spaceId)).toHaveLength(1);
    expect(push.messages.filter((m) => m.subscription === subscriptions['demo_bob']!.id && m.payload.url.endsWith(`/s/${spaceId}`))).toHaveLength(1);
    expect((await call('DELETE', '/api/accounts/me/creator-reminders/demo_creator', { token: tokens['demo_bob'] })).status).toBe(204);
  });

  it('serves the Space .ics and the creator feed to anyone', async () => {
    const spaceId = await schedule('Feed show', inSeconds(3600), 'Europe/Paris');
    const ics = await fetch(`${server.url}/api/spaces/${spaceId}/calendar.ics`);
    expect(ics.headers.get('content-type')).toMatch(/^text\/calendar/);
    const calendar = new ICAL.Component(ICAL.parse(await ics.text()));
    expect(new ICAL.Event(calendar.getFirstSubcomponent('vevent')!).summary).toBe('Feed show');
    const feed = new ICAL.Component(ICAL.parse(await (await fetch(`${server.url}/api/calendars/demo_creator.ics`)).text()));
    expect(feed.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v).summary)).toContain('Feed show');
    expect((await call('GET', '/api/spaces/nope/calendar.ics')).status).toBe(404);
  });

  it('one-click unsubscribe (RFC 8058) stops reminder e-mail, push goes on', async () => {
    const mail = sink.to('Ada@example.com').find((m) => /starts now|started/.test(m.subject ?? ''))!;
    const link = /^List-Unsubscribe:\s+<([^>]+)>/m.exec(mail.raw)![1]!;
    const page = await fetch(link);
    expect(await page.text()).toContain('<form method="post"');
    const done = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(done.status).toBe(200);
    expect((await call('GET', '/api/accounts/me/reminder-contact', { token: tokens['demo_ada'] })).body).toMatchObject({ email: 'Ada@example.com', emailUnsubscribed: true });
    const spaceId = await schedule('After unsubscribing', inSeconds(4));
    expect((await call('PUT', `/api/spaces/${spaceId}/reminder`, { token: tokens['demo_ada'], body: { channels: ['push'] } })).status).toBe(200);
    await push.waitFor(() => pushesFor('demo_ada', spaceId).length >= 1, 30_000, 'the push');
    expect(mailsAbout('Ada@example.com', spaceId)).toHaveLength(0);
    expect((await fetch(`${server.url}/api/reminders/unsubscribe?token=${'x'.repeat(43)}`, { method: 'POST' })).status).toBe(404);
  });

  it('removing a reminder is idempotent and leaves nothing to send', async () => {
    const spaceId = await schedule('Removed', inSeconds(3));
    expect((await call('PUT', `/api/spaces/${spaceId}/reminder`, { token: tokens['demo_cyd'], body: { channels: ['push'] } })).status).toBe(200);
    expect((await call('DELETE', `/api/spaces/${spaceId}/reminder`, { token: tokens['demo_cyd'] })).status).toBe(204);
    expect((await call('DELETE', `/api/spaces/${spaceId}/reminder`, { token: tokens['demo_cyd'] })).status).toBe(204);
    expect((await call('GET', `/api/spaces/${spaceId}/reminder`, { token: tokens['demo_cyd'] })).status).toBe(404);
    await sleep(5000);
    expect(pushesFor('demo_cyd', spaceId)).toHaveLength(0);
  });
});
