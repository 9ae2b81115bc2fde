/**
 * Reminders over HTTP.
 *
 *   GET    /api/reminders/settings                     { emailConfigured, vapidPublicKey } (public)
 *   GET    /api/accounts/me/reminder-contact           { email, timeZone, emailUnsubscribed }
 *   PUT    /api/accounts/me/reminder-contact           { email?, timeZone? } → the contact
 *   GET    /api/accounts/me/reminders                  { reminders }
 *   GET    /api/spaces/:spaceId/reminder               the account's reminder, or 404
 *   PUT    /api/spaces/:spaceId/reminder               { channels, minutesBefore?, email?, timeZone? } → reminder
 *   DELETE /api/spaces/:spaceId/reminder               → 204 (idempotent)
 *   GET    /api/accounts/me/creator-reminders/:handle  the opt-in, or 404
 *   PUT    /api/accounts/me/creator-reminders/:handle  { channels, minutesBefore?, … } → opt-in
 *   DELETE /api/accounts/me/creator-reminders/:handle  → 204
 *   POST   /api/accounts/me/push-subscriptions         a browser's PushSubscription JSON → 204
 *   DELETE /api/accounts/me/push-subscriptions         { endpoint } → 204
 *   GET    /api/spaces/:spaceId/calendar.ics           the Space's calendar entry (public)
 *   GET    /api/calendars/:handle                      a creator's upcoming Spaces, a feed to subscribe to (public)
 *   GET    /api/reminders/unsubscribe?token=           a page with one button (link scanners only GET)
 *   POST   /api/reminders/unsubscribe?token=           RFC 8058 one-click (List-Unsubscribe-Post) → 200 page
 *   GET    /reminder-sw.js                             the listener page's service worker (scope /)
 *
 * Everything that acts for an account needs `Authorization: Bearer <token>`, never a cookie, and no
 * CORS header is ever sent: a foreign page can neither set nor remove someone's reminder, nor read
 * one (see account-routes.ts). The unsubscribe token is the only credential of the unsubscribe
 * routes, and all it can do is stop e-mail.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AccountService } from '../accounts/account-service.ts';
import { describeIssues, NotFoundError, ValidationError } from '../errors.ts';
import { safeParse } from '../lib/safe-parse.ts';
import type { ReminderService, ReminderView } from '../reminders/reminder-service.ts';
import { bearerToken } from './account-routes.ts';
import { contactBody, pushSubscriptionBody, reminderBody, removePushBody, type ReminderJson } from './reminder-api.ts';

const spaceParams = z.object({ spaceId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a Space id') });
const handleParams = z.object({ handle: z.string().max(64) });
const feedParams = z.object({ handle: z.string().max(70) });
const tokenQuery = z.object({ token: z.string().max(100) });

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = safeParse(schema, value ?? {});
  if (!parsed.success) throw new ValidationError(`That ${what} is not valid.`, describeIssues(parsed.error.issues));
  return parsed.data;
}

const reminderJson = (view: ReminderView): ReminderJson => ({ spaceId: view.spaceId, channels: view.channels, minutesBefore: view.minutesBefore, createdAt: view.createdAt.toISOString() });

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const page = (body: string) => `<!doctype html><html><head><meta charset="utf-8"><title>Spacecraft reminders</title></head><body>${body}</body></html>`;

export function registerReminderRoutes(app: FastifyInstance, deps: { accounts: AccountService; reminders: ReminderService; vapidPublicKey: string; listenerDir: string }): void {
  const { accounts, reminders } = deps;
  const signedIn = (request: FastifyRequest) => accounts.authenticate(bearerToken(request));

  app.addHook('onSend', async (request, reply) => {
    if (request.url.startsWith('/api/reminders') || request.url.startsWith('/api/accounts/me/reminder') || request.url.startsWith('/api/accounts/me/creator-reminders') || request.url.startsWith('/api/accounts/me/push-subscriptions') || /^\/api\/spaces\/[^/]+\/reminder/.test(request.url)) {
      void reply.header('cache-control', 'no-store');
    }
  });

  app.get('/api/reminders/settings', async () => ({ emailConfigured: reminders.emailConfigured, vapidPublicKey: deps.vapidPublicKey }));

  app.get('/api/accounts/me/reminder-contact', async (request) => reminders.contact(await signedIn(request)));
  app.put('/api/accounts/me/reminder-contact', async (request) => {
    const me = await signedIn(request);
    return reminders.setContact(me, parse(contactBody, request.body, 'contact'));
  });

  app.get('/api/accounts/me/reminders', async (request) => ({ reminders: (await reminders.reminders(await signedIn(request))).map(reminderJson) }));

  app.get('/api/spaces/:spaceId/reminder', async (request) => {
    const me = await signedIn(request);
    const { spaceId } = parse(spaceParams, request.params, 'Space id');
    const view = await reminders.reminder(me, spaceId);
    if (!view) throw new NotFoundError('You have no reminder for this Space.');
    return reminderJson(view);
  });
  app.put('/api/spaces/:spaceId/reminder', async (request) => {
    const me = await signedIn(request);
    const { spaceId } = parse(spaceParams, request.params, 'Space id');
    const body = parse(reminderBody, request.body, 'reminder');
    return reminderJson(await reminders.setReminder(me, spaceId, body));
  });
  app.delete('/api/spaces/:spaceId/reminder', async (request, reply) => {
    const me = await signedIn(request);
    const { spaceId } = parse(spaceParams, request.params, 'Space id');
    await reminders.removeReminder(me, spaceId);
    return reply.status(204).send();
  });

  app.get('/api/accounts/me/creator-reminders/:handle', async (request) => {
    const me = await signedIn(request);
    const { handle } = parse(handleParams, request.params, 'handle');
    const view = await reminders.creatorReminder(me, handle);
    if (!view) throw new NotFoundError(`You do not follow the Spaces of @${handle}.`);
    return view;
  });
  app.put('/api/accounts/me/creator-reminders/:handle', async (request) => {
    const me = await signedIn(request);
    const { handle } = parse(handleParams, request.params, 'handle');
    return reminders.setCreatorReminder(me, handle, parse(reminderBody, request.body, 'reminder'));
  });
  app.delete('/api/accounts/me/creator-reminders/:handle', async (request, reply) => {
    const me = await signedIn(request);
    const { handle } = parse(handleParams, request.params, 'handle');
    await reminders.removeCreatorReminder(me, handle);
    return reply.status(204).send();
  });

  app.post('/api/accounts/me/push-subscriptions', async (request, reply) => {
    const me = await signedIn(request);
    const body = parse(pushSubscriptionBody, request.body, 'push subscription');
    await reminders.addPushSubscription(me, { endpoint: body.endpoint, p256dh: body.keys.p256dh, auth: body.keys.auth });
    return reply.status(204).send();
  });
  app.delete('/api/accounts/me/push-subscriptions', async (request, reply) => {
    const me = await signedIn(request);
    const { endpoint } = parse(removePushBody, request.body, 'push subscription');
    await reminders.removePushSubscription(me, endpoint);
    return reply.status(204).send();
  });

  app.get('/api/spaces/:spaceId/calendar.ics', async (request, reply) => {
    const { spaceId } = parse(spaceParams, request.params, 'Space id');
    const ics = await reminders.spaceIcs(spaceId);
    if (!ics) throw new NotFoundError('There is no scheduled Space with that id.');
    return reply.type('text/calendar; charset=utf-8').header('content-disposition', `attachment; filename="space-${spaceId}.ics"`).send(ics);
  });
  app.get('/api/calendars/:handle', async (request, reply) => {
    const { handle } = parse(feedParams, request.params, 'handle');
    const ics = await reminders.creatorIcs(handle.replace(/\.ics$/, ''));
    return reply.type('text/calendar; charset=utf-8').header('cache-control', 'public, max-age=300').send(ics);
  });

  // One-click unsubscribe. Mail clients POST `List-Unsubscribe=One-Click` form-encoded (RFC 8058):
  // that body type is accepted in this scope only, and ignored (the token in the URL is what counts).
  void app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 }, (_request, _body, done) => done(null, {}));
    scope.get('/api/reminders/unsubscribe', async (request, reply) => {
      const { token } = parse(tokenQuery, request.query, 'unsubscribe link');
      return reply
        .type('text/html; charset=utf-8')
        .send(page(`<p>Stop all Spacecraft reminder e-mails to this address?</p><form method="post" action="/api/reminders/unsubscribe?token=${encodeURIComponent(token)}"><button type="submit">Unsubscribe</button></form>`));
    });
    scope.post('/api/reminders/unsubscribe', async (request, reply) => {
      const { token } = parse(tokenQuery, request.query, 'unsubscribe link');
      const done = await reminders.unsubscribe(token);
      if (!done) throw new NotFoundError('That unsubscribe link is not known (it may be mistyped).');
      return reply.type('text/html; charset=utf-8').send(page(`<p>${escapeHtml('You will get no more reminder e-mails. Reminders you set stay, for push and the calendar.')}</p>`));
    });
  });

  // The service worker must come from the listener origin, at the root so its scope covers /s/….
  app.get('/reminder-sw.js', async (_request, reply) => {
    let source: Buffer;
    try {
      source = await readFile(join(deps.listenerDir, 'reminder-sw.js'));
    } catch {
      throw new NotFoundError('The listener page has not been built on this server.');
    }
    return reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').header('service-worker-allowed', '/').send(source);
  });
}
