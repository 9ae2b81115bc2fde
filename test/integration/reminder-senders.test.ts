/**
 * The three ways a reminder leaves the server, against real receivers: the SMTP mailer to a real
 * SMTP server (the message parsed back: text, HTML, Message-ID from the ledger key, one-click
 * unsubscribe headers, the `.ics` attached); Web Push to a local push service that checks VAPID and
 * decrypts the payload (RFC 8291); the `.ics` read back by an outside parser (ical.js) with its
 * zone, UID, SEQUENCE, alarm and METHOD:CANCEL.
 */
import ICAL from 'ical.js';
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpacecraftError } from '../../server/errors.ts';
import { messageIdFor, SmtpMailer } from '../../server/reminders/mailer.ts';
import { validatePushEndpoint, WebPushSender } from '../../server/reminders/push-sender.ts';
import { creatorFeed, spaceCalendar, spaceUid, type CalendarSpace } from '../../server/reminders/space-calendar.ts';
import { PushEndpoint } from '../support/push-endpoint.ts';
import { SmtpSink } from '../support/smtp-sink.ts';

const space: CalendarSpace = { id: 'abcDEF123', title: 'Night shift, live; with "guests"', startsAt: new Date('2026-12-01T18:30:00Z'), timeZone: 'Europe/Paris', hostName: 'Ada', link: 'http://spaces.test/s/abcDEF123', sequence: 0, cancelled: false };

function parseEvent(ics: string) {
  const calendar = new ICAL.Component(ICAL.parse(ics));
  for (const zone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(new ICAL.Timezone(zone));
  const vevent = calendar.getFirstSubcomponent('vevent')!;
  return { calendar, vevent, event: new ICAL.Event(vevent) };
}

describe('reminder e-mail over SMTP', () => {
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await SmtpSink.start();
  });
  afterAll(async () => sink.close());

  it('arrives with text, HTML, a Message-ID from its key, one-click unsubscribe and the .ics attached', async () => {
    const mailer = new SmtpMailer(sink.url, 'Spacecraft <reminders@spaces.test>');
    const ics = spaceCalendar(space, { domain: 'spaces.test', method: 'publish', now: new Date() });
    await mailer.send({ to: 'ada@example.com', subject: 'Night shift starts now', text: 'plain words', html: '<p>html words</p>', idempotencyKey: 'email:start:abc:1', unsubscribeUrl: 'http://spaces.test/api/reminders/unsubscribe?token=t', calendar: { content: ics, as: 'attachment', method: 'PUBLISH' } });
    mailer.close();
    const [mail] = sink.to('ada@example.com');
    expect(mail).toBeDefined();
    expect(mail!.subject).toBe('Night shift starts now');
    expect(mail!.text).toContain('plain words');
    expect(mail!.html).toContain('<p>html words</p>');
    expect(mail!.messageId).toBe(messageIdFor('email:start:abc:1', 'spaces.test'));
    expect(String(mail!.raw)).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    expect(String(mail!.raw)).toMatch(/List-Unsubscribe: <http:\/\/spaces\.test\/api\/reminders\/unsubscribe\?token=t>/);
    const attachment = mail!.attachments.find((a) => a.filename === 'space.ics');
    expect(attachment?.contentType).toBe('text/calendar');
    expect(parseEvent(attachment!.content.toString('utf8')).event.uid).toBe(spaceUid(space.id, 'spaces.test'));
  });

  it('refuses an SMTP URL that is not smtp:// or smtps://', () => {
    expect(() => new SmtpMailer('http://127.0.0.1:25', 'a@b.test')).toThrow(SpacecraftError);
  });
});

describe('web push', () => {
  let endpoint: PushEndpoint;
  beforeAll(async () => {
    endpoint = await PushEndpoint.start();
  });
  afterAll(async () => endpoint.close());

  it('reaches the push service signed with VAPID, and decrypts with the subscription keys (RFC 8291)', async () => {
    const keys = webpush.generateVAPIDKeys();
    const sender = new WebPushSender(keys, 'mailto:reminders@spaces.test');
    const subscription = endpoint.subscription();
    const result = await sender.send({ endpoint: subscription.endpoint, ...subscription.keys }, { title: 'Night shift', body: 'Ada’s Space starts now. 🎧', url: space.link, tag: 'space-abc-start' }, 'push:start:abc:1');
    expect(result).toBe('sent');
    expect(endpoint.errors).toEqual([]);
    const [message] = endpoint.messages;
    expect(message!.payload).toEqual({ title: 'Night shift', body: 'Ada’s Space starts now. 🎧', url: space.link, tag: 'space-abc-start' });
    expect(message!.vapidKey).toBe(keys.publicKey);
    expect(message!.urgency).toBe('high');
    expect(message!.topic).toMatch(/^[A-Za-z0-9_-]{32}$/);
    // The same key gives the same Topic: a re-send replaces the first at the push service.
    await sender.send({ endpoint: subscription.endpoint, ...subscription.keys }, { title: 'x', body: 'y', url: space.link, tag: 't' }, 'push:start:abc:1');
    expect(endpoint.unique().filter((m) => m.subscription === subscription.id)).toHaveLength(1);
  });

  it('says gone for a subscription the push service no longer knows, and throws on its errors', async () => {
    const sender = new WebPushSender(webpush.generateVAPIDKeys(), 'mailto:reminders@spaces.test');
    const subscription = endpoint.subscription();
    endpoint.markGone(subscription.id);
    expect(await sender.send({ endpoint: subscription.endpoint, ...subscription.keys }, { title: 't', body: 'b', url: space.link, tag: 't' }, 'k')).toBe('gone');
    const other = endpoint.subscription();
    endpoint.failNext(1);
    await expect(sender.send({ endpoint: other.endpoint, ...other.keys }, { title: 't', body: 'b', url: space.link, tag: 't' }, 'k2')).rejects.toThrow(/503/);
  });

  it('accepts only https push services by name (no loopback, no IP literal), besides the origins allowed by configuration', () => {
    expect(validatePushEndpoint('https://fcm.googleapis.com/fcm/send/abc', [])).toBe('https://fcm.googleapis.com/fcm/send/abc');
    for (const bad of ['http://push.example.com/x', 'https://127.0.0.1/x', 'https://[::1]/x', 'https://localhost/x', 'https://intranet/x', 'https://user:pw@push.example.com/x', 'file:///etc/passwd', 'not a url']) {
      expect(() => validatePushEndpoint(bad, []), bad).toThrow(SpacecraftError);
    }
    expect(validatePushEndpoint(`${endpoint.origin}/push/x`, [endpoint.origin])).toBe(`${endpoint.origin}/push/x`);
  });
});

describe('the .ics, read by ical.js', () => {
  it('places the start in the host zone, with a stable UID, SEQUENCE, an alarm and the link', () => {
    const { calendar, event, vevent } = parseEvent(spaceCalendar({ ...space, sequence: 2 }, { domain: 'spaces.test', method: 'request', now: new Date() }));
    expect(calendar.getFirstPropertyValue('method')).toBe('REQUEST');
    expect(event.uid).toBe('space-abcDEF123@spaces.test');
    expect(event.sequence).toBe(2);
    expect(event.summary).toBe(space.title);
    expect(event.startDate.zone?.tzid).toBe('Europe/Paris');
    expect(event.startDate.toJSDate().toISOString()).toBe(space.startsAt.toISOString());
    expect(event.startDate.hour).toBe(19); // 18:30 UTC is 19:30 in Paris in December
    expect(event.endDate.toJSDate().getTime() - space.startsAt.getTime()).toBe(60 * 60_000);
    const alarm = vevent.getFirstSubcomponent('valarm')!;
    expect(alarm.getFirstPropertyValue('action')).toBe('DISPLAY');
    expect(String(alarm.getFirstPropertyValue('trigger'))).toBe('-PT10M');
    expect(vevent.getFirstPropertyValue('url')).toBe(space.link);
  });

  it('cancels with METHOD:CANCEL and STATUS:CANCELLED under the same UID', () => {
    const { calendar, event, vevent } = parseEvent(spaceCalendar({ ...space, sequence: 3, cancelled: true }, { domain: 'spaces.test', method: 'cancel', now: new Date() }));
    expect(calendar.getFirstPropertyValue('method')).toBe('CANCEL');
    expect(vevent.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(event.uid).toBe('space-abcDEF123@spaces.test');
    expect(event.sequence).toBe(3);
  });

  it('lists a creator\'s Spaces in a feed, each at its instant', () => {
    const second = { ...space, id: 'second', startsAt: new Date('2026-12-03T02:00:00Z'), timeZone: 'America/Los_Angeles' };
    const calendar = new ICAL.Component(ICAL.parse(creatorFeed('Ada', [space, second], { domain: 'spaces.test', now: new Date() })));
    const events = calendar.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    expect(events.map((e) => [e.uid, e.startDate.toJSDate().toISOString()])).toEqual([
      ['space-abcDEF123@spaces.test', space.startsAt.toISOString()],
      ['space-second@spaces.test', second.startsAt.toISOString()],
    ]);
  });
});
