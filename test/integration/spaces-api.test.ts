/**
 * Scheduling and co-host invites over HTTP on a real server, on both database backends: who may
 * schedule (the follower rule), edit and cancel (the host, while scheduled), the listener page's
 * view of a scheduled Space, invites (only the host makes and revokes them; only the invited
 * account accepts, once, before expiry, unless revoked), floods, bad input at every route, and a
 * restart that keeps Spaces, invites, roles and bans.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { DatabaseConfig } from '../../server/config.ts';
import { KyselyStageRecords } from '../../server/db/space-store.ts';
import type { SpaceId } from '../../server/domain/space.ts';
import { ERROR_CODES } from '../../server/errors.ts';
import { STATUS } from '../../server/http/app.ts';
import { createdInviteJsonSchema, inviteListJsonSchema, spaceJsonSchema, spaceListJsonSchema } from '../../server/http/space-api.ts';
import type { RunningServer } from '../../server/server.ts';
import { spaceInfoSchema } from '../../server/signalling/protocol.ts';
import { api, databaseEnv, expectHarmless, type Call } from '../support/http-api.ts';
import { startTestServer } from '../support/server-fixture.ts';
import { BACKENDS, useTestDatabases } from '../support/test-databases.ts';

const databases = useTestDatabases();
const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(config: DatabaseConfig) {
  const server = await startTestServer({ ...databaseEnv(config), SPACECRAFT_DEMO_DATA: 'false', SPACECRAFT_HOST_MIN_FOLLOWERS: '2', SPACECRAFT_ACCOUNT_ATTEMPTS_PER_IP: '1000' });
  servers.push(server);
  return server;
}


/** ada may host (bob and cyd follow her); bob, cyd and dee may not. */
async function people(call: Call) {
  const tokens: Record<string, string> = {};
  for (const handle of ['ada', 'bob', 'cyd', 'dee']) {
    const answer = await call('POST', '/api/accounts', { body: { handle, displayName: `The ${handle}`, password: `${handle}-password` } });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    tokens[handle] = answer.body['token'] as string;
  }
  await call('PUT', '/api/accounts/me/following/ada', { token: tokens['bob'] });
  await call('PUT', '/api/accounts/me/following/ada', { token: tokens['cyd'] });
  return tokens as Record<'ada' | 'bob' | 'cyd' | 'dee', string>;
}

const HOUR = 3600_000;
/** A time `hours` ahead, written with a +02:00 offset (as a Paris studio would send it). */
function ahead(hours: number): string {
  const at = new Date(Math.round((Date.now() + hours * HOUR) / 1000) * 1000 + 2 * HOUR);
  return at.toISOString().replace('Z', '+02:00');
}

async function schedule(call: Call, token: string, title = 'Morning show', startsAt = ahead(2)) {
  const answer = await call('POST', '/api/spaces', { token, body: { title, startsAt, timeZone: 'Europe/Paris' } });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return spaceJsonSchema.parse(answer.body);
}

async function invite(call: Call, token: string, spaceId: string, handle: string, expiresInMinutes?: number) {
  const answer = await call('POST', `/api/spaces/${spaceId}/invites`, { token, body: expiresInMinutes === undefined ? { handle } : { handle, expiresInMinutes } });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return createdInviteJsonSchema.parse(answer.body);
}

/** Everything the Space API stores, for "nothing changed" checks. */
async function snapshot(server: RunningServer) {
  const { db } = server.database;
  return {
    spaces: await db.selectFrom('spaces').selectAll().orderBy('id').execute(),
    invites: await db.selectFrom('space_invites').selectAll().orderBy('id').execute(),
    roles: await db.selectFrom('space_roles').selectAll().orderBy('space_id').orderBy('account_id').execute(),
    bans: await db.selectFrom('space_bans').selectAll().orderBy('space_id').orderBy('account_id').execute(),
  };
}

// Each test signs up four accounts (real scrypt) and opens a new PGlite folder: generous time on a busy machine.
describe.each(BACKENDS)('the Space API on %s', { timeout: 60_000 }, (backend) => {
  it('schedules for an eligible host, shows the Space to anyone, edits and cancels it for the host only', async () => {
    const server = await start(await databases.fresh(backend));
    const call = api(server);
    const t = await people(call);

    // Below the follower rule: told how many followers are still needed.
    const refused = await call('POST', '/api/spaces', { token: t.dee, body: { title: 'Mine', startsAt: ahead(2), timeZone: 'UTC' } });
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'NOT_ELIGIBLE', message: 'Hosting needs 2 followers: you need 2 more.', details: { followersNeeded: 2 } } } });

    const startsAt = ahead(3);
    const space = await schedule(call, t.ada, '  Morning show ', startsAt);
    expect(space).toMatchObject({ title: 'Morning show', status: 'scheduled', timeZone: 'Europe/Paris', startedAt: null, link: `${server.url}/s/${space.id}` });
    expect(space.scheduledFor).toBe(new Date(startsAt).toISOString()); // the same instant, in UTC

    // Anyone (no session) sees it on its page, with its host's name.
    const page = await call('GET', `/api/spaces/${space.id}`);
    expect(page.status).toBe(200);
    expect(spaceInfoSchema.parse(page.body)).toMatchObject({
      spaceId: space.id,
      title: 'Morning show',
      status: 'scheduled',
      scheduledFor: space.scheduledFor,
      timeZone: 'Europe/Paris',
      host: { handle: 'ada', displayName: 'The ada' },
      routerRtpCapabilities: null,
      listenerCount: 0,
    });

    // Someone else cannot touch it.
    expect((await call('PATCH', `/api/spaces/${space.id}`, { token: t.bob, body: { title: 'Hijacked' } })).body.error?.code).toBe('PERMISSION_DENIED');
    expect((await call('POST', `/api/spaces/${space.id}/cancel`, { token: t.bob })).body.error?.code).toBe('PERMISSION_DENIED');

    const later = ahead(30);
    const edited = await call('PATCH', `/api/spaces/${space.id}`, { token: t.ada, body: { title: 'Evening show', startsAt: later, timeZone: 'america/new_york' } });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ title: 'Evening show', scheduledFor: new Date(later).toISOString(), timeZone: 'America/New_York' });
    // The page shows the edit at once.
    expect((await call('GET', `/api/spaces/${space.id}`)).body).toMatchObject({ title: 'Evening show', timeZone: 'America/New_York' });

    const second = await schedule(call, t.ada, 'Sooner', ahead(1));
    const mine = spaceListJsonSchema.parse((await call('GET', '/api/accounts/me/spaces', { token: t.ada })).body);
    expect(mine.spaces.map((s) => s.title)).toEqual(['Sooner', 'Evening show']);
    expect(spaceListJsonSchema.parse((await call('GET', '/api/accounts/me/spaces', { token: t.bob })).body).spaces).toEqual([]);

    const cancelled = await call('POST', `/api/spaces/${second.id}/cancel`, { token: t.ada });
    expect(cancelled.body).toMatchObject({ status: 'cancelled' });
    expect((await call('GET', `/api/spaces/${second.id}`)).body).toMatchObject({ status: 'cancelled' });
    expect((await call('POST', `/api/spaces/${second.id}/cancel`, { token: t.ada })).body.error?.code).toBe('INVALID_STATE');
    expect((await call('PATCH', `/api/spaces/${second.id}`, { token: t.ada, body: { title: 'Back' } })).body.error?.code).toBe('INVALID_STATE');
    expect(spaceListJsonSchema.parse((await call('GET', '/api/accounts/me/spaces', { token: t.ada })).body).spaces.map((s) => s.id)).toEqual([space.id]);
    expect((await call('GET', '/api/spaces/nosuchspace')).body.error?.code).toBe('NOT_FOUND');
  });

  it('schedules a premiere: its page says so, an ordinary Space is not one, and a premiere flag that is not a boolean is refused', async () => {
    const server = await start(await databases.fresh(backend));
    const call = api(server);
    const t = await people(call);
    const answer = await call('POST', '/api/spaces', { token: t.ada, body: { title: 'Album night', startsAt: ahead(2), timeZone: 'UTC', premiere: true } });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    const premiere = spaceJsonSchema.parse(answer.body);
    expect(premiere.premiere).toBe(true);
    expect(spaceInfoSchema.parse((await call('GET', `/api/spaces/${premiere.id}`)).body).premiere).toBe(true);
    const ordinary = await schedule(call, t.ada, 'Talk show');
    expect(ordinary.premiere).toBe(false);
    expect(spaceInfoSchema.parse((await call('GET', `/api/spaces/${ordinary.id}`)).body).premiere).toBe(false);
    // The host's list says which is which.
    const list = spaceListJsonSchema.parse((await call('GET', '/api/accounts/me/spaces', { token: t.ada })).body);
    expect(list.spaces.map((s) => [s.title, s.premiere])).toEqual(expect.arrayContaining([['Album night', true], ['Talk show', false]]));
    const before = await snapshot(server);
    const bad = await call('POST', '/api/spaces', { token: t.ada, body: { title: 'Bad', startsAt: ahead(2), timeZone: 'UTC', premiere: 'yes' } });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION' } } });
    expect(await snapshot(server)).toEqual(before);
  });

  it('invites a co-host: only the host invites, lists and revokes; only the invited account accepts, once', async () => {
    const server = await start(await databases.fresh(backend));
    const call = api(server);
    const t = await people(call);
    const space = await schedule(call, t.ada);

    const made = await invite(call, t.ada, space.id, 'BOB', 60);
    expect(made.code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(made.link).toBe(`${server.url}/s/${space.id}#invite=${made.code}`);
    expect(new Date(made.expiresAt).getTime() - Date.now()).toBeGreaterThan(59 * 60_000);
    expect(made.invite).toMatchObject({ handle: 'bob', status: 'pending' });
    // The code is stored nowhere, only its hash.
    const stored = JSON.stringify(await snapshot(server));
    expect(stored).not.toContain(made.code);

    // Not the host: no invites, no list, no revoke.
    expect((await call('POST', `/api/spaces/${space.id}/invites`, { token: t.bob, body: { handle: 'cyd' } })).body.error?.code).toBe('PERMISSION_DENIED');
    expect((await call('GET', `/api/spaces/${space.id}/invites`, { token: t.bob })).body.error?.code).toBe('PERMISSION_DENIED');
    expect((await call('DELETE', `/api/spaces/${space.id}/invites/${made.invite.id}`, { token: t.bob })).body.error?.code).toBe('PERMISSION_DENIED');

    // Another account holding the code cannot use it (and does not spend it).
    expect((await call('POST', '/api/invites/accept', { token: t.cyd, body: { code: made.code } })).body.error?.code).toBe('PERMISSION_DENIED');
    const accepted = await call('POST', '/api/invites/accept', { token: t.bob, body: { code: made.code } });
    expect(accepted).toMatchObject({ status: 200, body: { spaceId: space.id, role: 'cohost' } });
    const again = await call('POST', '/api/invites/accept', { token: t.bob, body: { code: made.code } });
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'INVALID_STATE', message: 'This invite has already been used.' } } });
    expect(await new KyselyStageRecords(server.database.db).roles(space.id as SpaceId)).toEqual([{ accountId: expect.any(String) as unknown, role: 'cohost' }]);

    // Revoked: refused. Expired: refused.
    const toRevoke = await invite(call, t.ada, space.id, 'cyd');
    expect((await call('DELETE', `/api/spaces/${space.id}/invites/${toRevoke.invite.id}`, { token: t.ada })).status).toBe(204);
    expect((await call('POST', '/api/invites/accept', { token: t.cyd, body: { code: toRevoke.code } })).body.error?.message).toBe('The host revoked this invite.');
    const toExpire = await invite(call, t.ada, space.id, 'dee', 5);
    await server.database.db.updateTable('space_invites').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', toExpire.invite.id).execute();
    expect((await call('POST', '/api/invites/accept', { token: t.dee, body: { code: toExpire.code } })).body.error?.message).toBe('This invite has expired; ask the host for a new one.');
    // Revoking a used invite: refused (the co-host is removed from the stage instead).
    expect((await call('DELETE', `/api/spaces/${space.id}/invites/${made.invite.id}`, { token: t.ada })).body.error?.code).toBe('INVALID_STATE');

    const list = inviteListJsonSchema.parse((await call('GET', `/api/spaces/${space.id}/invites`, { token: t.ada })).body);
    expect(list.invites.map((i) => [i.handle, i.status])).toEqual([
      ['dee', 'expired'],
      ['cyd', 'revoked'],
      ['bob', 'used'],
    ]);
    expect(JSON.stringify(list)).not.toContain(made.code);
  });

  it('limits floods: changes per account per minute, failed accepts per account', async () => {
    const server = await start(await databases.fresh(backend));
    const call = api(server);
    const t = await people(call);
    const space = await schedule(call, t.ada); // change 1
    const codes: number[] = [];
    for (let i = 0; i < 60; i++) codes.push((await call('PATCH', `/api/spaces/${space.id}`, { token: t.ada, body: { title: `Take ${i}` } })).status);
    expect(codes.filter((c) => c === 200)).toHaveLength(59);
    const limited = codes.at(-1);
    expect(limited).toBe(429);
    const flood = await call('PATCH', `/api/spaces/${space.id}`, { token: t.ada, body: { title: 'One more' } });
    expect(flood).toMatchObject({ status: 429, body: { error: { code: 'RATE_LIMITED', details: { retryAfterMs: expect.any(Number) as unknown } } } });
    expect((await server.database.db.selectFrom('spaces').select('title').executeTakeFirstOrThrow()).title).toBe('Take 58');

    // Guessing codes: ten wrong ones lock the account out of accepting, even with a right code.
    const other = await start(await databases.fresh(backend));
    const call2 = api(other);
    const t2 = await people(call2);
    const space2 = await schedule(call2, t2.ada);
    const real = await invite(call2, t2.ada, space2.id, 'bob');
    for (let i = 0; i < 10; i++) {
      const guess = await call2('POST', '/api/invites/accept', { token: t2.bob, body: { code: `${'A'.repeat(42)}${i}` } });
      expect(guess.body.error?.code).toBe('NOT_FOUND');
    }
    const locked = await call2('POST', '/api/invites/accept', { token: t2.bob, body: { code: real.code } });
    expect(locked).toMatchObject({ status: 429, body: { error: { code: 'RATE_LIMITED' } } });
    expect((await other.database.db.selectFrom('space_roles').selectAll().execute()).length).toBe(0);
  });

  it('answers bad input at every route with a typed error and changes nothing stored', async () => {
    const server = await start(await databases.fresh(backend));
    const call = api(server);
    const t = await people(call);
    const space = await schedule(call, t.ada);
    const live = await schedule(call, t.ada, 'To be live');
    await server.database.db.updateTable('spaces').set({ status: 'live', started_at: new Date() }).where('id', '=', live.id).execute();
    const pending = await invite(call, t.ada, space.id, 'bob');
    const before = await snapshot(server);
    const good = { title: 'Show', startsAt: ahead(2), timeZone: 'Europe/Paris' };
    const s = `/api/spaces/${space.id}`;
    type Options = Parameters<Call>[2];
    const cases: Array<[string, string, string, Options, number, string]> = [
      ['schedule without a session', 'POST', '/api/spaces', { body: good }, 403, 'PERMISSION_DENIED'],
      ['schedule with a made-up session', 'POST', '/api/spaces', { body: good, token: 'x'.repeat(43) }, 403, 'PERMISSION_DENIED'],
      ['schedule without a body', 'POST', '/api/spaces', { token: t.ada }, 400, 'VALIDATION'],
      ['schedule with JSON null', 'POST', '/api/spaces', { token: t.ada, rawBody: 'null' }, 400, 'VALIDATION'],
      ['schedule with broken JSON', 'POST', '/api/spaces', { token: t.ada, rawBody: '{"title":' }, 400, 'VALIDATION'],
      ['schedule as text', 'POST', '/api/spaces', { token: t.ada, rawBody: 'title=x', contentType: 'text/plain' }, 400, 'VALIDATION'],
      ['schedule with an array', 'POST', '/api/spaces', { token: t.ada, body: [good] }, 400, 'VALIDATION'],
      ['schedule with an extra field', 'POST', '/api/spaces', { token: t.ada, body: { ...good, status: 'live' } }, 400, 'VALIDATION'],
      ['schedule with __proto__', 'POST', '/api/spaces', { token: t.ada, rawBody: `{"title":"x","startsAt":"${good.startsAt}","timeZone":"UTC","__proto__":{"a":1}}` }, 400, 'VALIDATION'],
      ['schedule in the past', 'POST', '/api/spaces', { token: t.ada, body: { ...good, startsAt: '2020-01-01T00:00:00Z' } }, 400, 'VALIDATION'],
      ['schedule 31 days ahead', 'POST', '/api/spaces', { token: t.ada, body: { ...good, startsAt: ahead(31 * 24) } }, 400, 'VALIDATION'],
      ['schedule without an offset', 'POST', '/api/spaces', { token: t.ada, body: { ...good, startsAt: '2030-01-01T10:00:00' } }, 400, 'VALIDATION'],
      ['schedule at a date that is not one', 'POST', '/api/spaces', { token: t.ada, body: { ...good, startsAt: '2026-02-30T10:00:00Z' } }, 400, 'VALIDATION'],
      ['schedule with a number for a time', 'POST', '/api/spaces', { token: t.ada, body: { ...good, startsAt: Date.now() + HOUR } }, 400, 'VALIDATION'],
      ['schedule in an unknown zone', 'POST', '/api/spaces', { token: t.ada, body: { ...good, timeZone: 'Mars/Olympus' } }, 400, 'VALIDATION'],
      ['schedule in an offset, not a zone', 'POST', '/api/spaces', { token: t.ada, body: { ...good, timeZone: '+02:00' } }, 400, 'VALIDATION'],
      ['schedule with an empty title', 'POST', '/api/spaces', { token: t.ada, body: { ...good, title: '   ' } }, 400, 'VALIDATION'],
      ['schedule with a huge title', 'POST', '/api/spaces', { token: t.ada, body: { ...good, title: 'x'.repeat(5000) } }, 400, 'VALIDATION'],
      ['schedule with a control character', 'POST', '/api/spaces', { token: t.ada, body: { ...good, title: 'a\u0000b' } }, 400, 'VALIDATION'],
      ['schedule without enough followers', 'POST', '/api/spaces', { token: t.bob, body: good }, 403, 'NOT_ELIGIBLE'],
      ['edit without a session', 'PATCH', s, { body: { title: 'x' } }, 403, 'PERMISSION_DENIED'],
      ['edit nothing', 'PATCH', s, { token: t.ada, body: {} }, 400, 'VALIDATION'],
      ['edit someone else’s', 'PATCH', s, { token: t.bob, body: { title: 'x' } }, 403, 'PERMISSION_DENIED'],
      ['edit a live Space', 'PATCH', `/api/spaces/${live.id}`, { token: t.ada, body: { title: 'x' } }, 409, 'INVALID_STATE'],
      ['edit a missing Space', 'PATCH', '/api/spaces/nosuchspace', { token: t.ada, body: { title: 'x' } }, 404, 'NOT_FOUND'],
      ['edit a bad id', 'PATCH', '/api/spaces/bad%20id', { token: t.ada, body: { title: 'x' } }, 400, 'VALIDATION'],
      ['edit the status', 'PATCH', s, { token: t.ada, body: { status: 'ended' } }, 400, 'VALIDATION'],
      ['edit to the past', 'PATCH', s, { token: t.ada, body: { startsAt: '2020-01-01T00:00:00Z' } }, 400, 'VALIDATION'],
      ['cancel without a session', 'POST', `${s}/cancel`, {}, 403, 'PERMISSION_DENIED'],
      ['cancel someone else’s', 'POST', `${s}/cancel`, { token: t.bob }, 403, 'PERMISSION_DENIED'],
      ['cancel a live Space', 'POST', `/api/spaces/${live.id}/cancel`, { token: t.ada }, 409, 'INVALID_STATE'],
      ['cancel a missing Space', 'POST', '/api/spaces/nosuchspace/cancel', { token: t.ada }, 404, 'NOT_FOUND'],
      ['list mine without a session', 'GET', '/api/accounts/me/spaces', {}, 403, 'PERMISSION_DENIED'],
      ['the page of a bad id', 'GET', '/api/spaces/bad%20id', {}, 400, 'VALIDATION'],
      ['the page of a missing Space', 'GET', '/api/spaces/nosuchspace', {}, 404, 'NOT_FOUND'],
      ['invite without a session', 'POST', `${s}/invites`, { body: { handle: 'cyd' } }, 403, 'PERMISSION_DENIED'],
      ['invite to someone else’s', 'POST', `${s}/invites`, { token: t.bob, body: { handle: 'cyd' } }, 403, 'PERMISSION_DENIED'],
      ['invite oneself', 'POST', `${s}/invites`, { token: t.ada, body: { handle: 'ada' } }, 400, 'VALIDATION'],
      ['invite nobody', 'POST', `${s}/invites`, { token: t.ada, body: { handle: 'nobody' } }, 404, 'NOT_FOUND'],
      ['invite a bad handle', 'POST', `${s}/invites`, { token: t.ada, body: { handle: "x'; drop table spaces; --" } }, 404, 'NOT_FOUND'],
      ['invite for 8 days', 'POST', `${s}/invites`, { token: t.ada, body: { handle: 'cyd', expiresInMinutes: 8 * 24 * 60 } }, 400, 'VALIDATION'],
      ['invite for a minute', 'POST', `${s}/invites`, { token: t.ada, body: { handle: 'cyd', expiresInMinutes: 1 } }, 400, 'VALIDATION'],
      ['invite with a fractional expiry', 'POST', `${s}/invites`, { token: t.ada, body: { handle: 'cyd', expiresInMinutes: 90.5 } }, 400, 'VALIDATION'],
      ['invite with an extra field', 'POST', `${s}/invites`, { token: t.ada, body: { handle: 'cyd', role: 'host' } }, 400, 'VALIDATION'],
      ['invite to a missing Space', 'POST', '/api/spaces/nosuchspace/invites', { token: t.ada, body: { handle: 'cyd' } }, 404, 'NOT_FOUND'],
      ['list invites without a session', 'GET', `${s}/invites`, {}, 403, 'PERMISSION_DENIED'],
      ['list someone else’s invites', 'GET', `${s}/invites`, { token: t.cyd }, 403, 'PERMISSION_DENIED'],
      ['revoke without a session', 'DELETE', `${s}/invites/${pending.invite.id}`, {}, 403, 'PERMISSION_DENIED'],
      ['revoke someone else’s', 'DELETE', `${s}/invites/${pending.invite.id}`, { token: t.bob }, 403, 'PERMISSION_DENIED'],
      ['revoke through another Space', 'DELETE', `/api/spaces/${live.id}/invites/${pending.invite.id}`, { token: t.ada }, 404, 'NOT_FOUND'],
      ['revoke a made-up invite', 'DELETE', `${s}/invites/not-an-invite`, { token: t.ada }, 404, 'NOT_FOUND'],
      ['accept without a session', 'POST', '/api/invites/accept', { body: { code: pending.code } }, 403, 'PERMISSION_DENIED'],
      ['accept without a code', 'POST', '/api/invites/accept', { token: t.bob, body: {} }, 400, 'VALIDATION'],
      ['accept an object code', 'POST', '/api/invites/accept', { token: t.bob, body: { code: { $ne: '' } } }, 400, 'VALIDATION'],
      ['accept a malformed code', 'POST', '/api/invites/accept', { token: t.bob, body: { code: '../../etc/passwd' } }, 404, 'NOT_FOUND'],
      ['accept the host’s own invite as the host', 'POST', '/api/invites/accept', { token: t.ada, body: { code: pending.code } }, 403, 'PERMISSION_DENIED'],
    ];
    for (const [name, method, path, options, status, code] of cases) {
      const answer = await call(method, path, options);
      expect({ name, status: answer.status, code: answer.body.error?.code }).toEqual({ name, status, code });
      expect(ERROR_CODES).toContain(answer.body.error?.code);
      expect(STATUS[answer.body.error!.code as keyof typeof STATUS]).toBe(status === 414 ? 400 : status);
      expect(typeof answer.body.error?.message).toBe('string');
    }
    expect(await snapshot(server)).toEqual(before);
    // The pending invite still works after all that.
    expect((await call('POST', '/api/invites/accept', { token: t.bob, body: { code: pending.code } })).status).toBe(200);
  });

  it('answers any body, id and token at every route with success or a typed error, never a crash, and a refused call changes nothing (property)', async () => {
    const server = await start(await databases.fresh(backend));
    const call = api(server);
    const t = await people(call);
    const space = await schedule(call, t.ada);
    const pending = await invite(call, t.ada, space.id, 'bob');
    const text = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('ada', 'bob', 'UTC', 'Europe/Paris', '', 'x'.repeat(300)));
    const time = fc.oneof(text, fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.constantFrom(ahead(1), ahead(24 * 40), '2026-02-30T10:00:00Z'));
    const body = fc.oneof(
      fc.anything(),
      fc.record(
        { title: fc.oneof(text, fc.anything()), startsAt: fc.oneof(time, fc.anything()), timeZone: fc.oneof(text, fc.anything()), handle: fc.oneof(text, fc.anything()), expiresInMinutes: fc.oneof(fc.integer(), fc.double(), fc.anything()), code: fc.oneof(text, fc.constant(pending.code)) },
        { requiredKeys: [] },
      ),
    );
    const id = fc.oneof(fc.constant(space.id), fc.constant(pending.invite.id), fc.string({ maxLength: 70 }));
    const token = fc.oneof(fc.constant(undefined), fc.constant(t.ada), fc.constant(t.bob), fc.stringMatching(/^[\x21-\x7e]{1,60}$/));
    const route = fc.constantFrom(
      ['POST', '/api/spaces'],
      ['PATCH', '/api/spaces/:id'],
      ['POST', '/api/spaces/:id/cancel'],
      ['GET', '/api/spaces/:id'],
      ['GET', '/api/accounts/me/spaces'],
      ['POST', '/api/spaces/:id/invites'],
      ['GET', '/api/spaces/:id/invites'],
      ['DELETE', '/api/spaces/:id/invites/:other'],
      ['POST', '/api/invites/accept'],
    );
    await fc.assert(
      fc.asyncProperty(route, body, id, id, token, async ([method, template], payload, first, second, bearer) => {
        const path = template.replace(':id', encodeURIComponent(first) || 'x').replace(':other', encodeURIComponent(second) || 'x');
        const before = await snapshot(server);
        const sendsBody = method === 'POST' || method === 'PATCH';
        const answer = await call(method, path, { ...(sendsBody ? { rawBody: JSON.stringify(payload) ?? 'null' } : {}), ...(bearer ? { token: bearer } : {}) });
        await expectHarmless(answer, before, () => snapshot(server));
      }),
      { numRuns: 80 },
    );
  }, 120_000);

  it('keeps scheduled Spaces, invites, roles and bans across a restart', async () => {
    const config = await databases.fresh(backend);
    const first = await start(config);
    let call = api(first);
    const t = await people(call);
    const space = await schedule(call, t.ada, 'Kept', ahead(5));
    const cancelled = await schedule(call, t.ada, 'Gone', ahead(6));
    await call('POST', `/api/spaces/${cancelled.id}/cancel`, { token: t.ada });
    const forBob = await invite(call, t.ada, space.id, 'bob');
    const forCyd = await invite(call, t.ada, space.id, 'cyd');
    expect((await call('POST', '/api/invites/accept', { token: t.cyd, body: { code: forCyd.code } })).status).toBe(200);
    const stage = new KyselyStageRecords(first.database.db);
    const dee = await first.database.db.selectFrom('accounts').select('id').where('handle', '=', 'dee').executeTakeFirstOrThrow();
    await stage.saveRole(space.id as SpaceId, dee.id, 'speaker');
    await stage.ban(space.id as SpaceId, dee.id);
    const before = await snapshot(first);
    const invitesBefore = (await call('GET', `/api/spaces/${space.id}/invites`, { token: t.ada })).body;
    await first.close();
    servers.splice(servers.indexOf(first), 1);

    const second = await start(config);
    call = api(second);
    expect(await snapshot(second)).toEqual(before);
    expect(spaceListJsonSchema.parse((await call('GET', '/api/accounts/me/spaces', { token: t.ada })).body).spaces.map((s) => s.title)).toEqual(['Kept']);
    expect((await call('GET', `/api/spaces/${space.id}`)).body).toMatchObject({ status: 'scheduled', title: 'Kept', host: { handle: 'ada' } });
    expect((await call('GET', `/api/spaces/${cancelled.id}`)).body).toMatchObject({ status: 'cancelled' });
    expect((await call('GET', `/api/spaces/${space.id}/invites`, { token: t.ada })).body).toEqual(invitesBefore);
    const stageAfter = new KyselyStageRecords(second.database.db);
    expect(await stageAfter.isBanned(space.id as SpaceId, dee.id)).toBe(true);
    expect((await stageAfter.roles(space.id as SpaceId)).map((r) => r.role).sort()).toEqual(['cohost', 'speaker']);
    // The code made before the restart still works, once.
    expect((await call('POST', '/api/invites/accept', { token: t.bob, body: { code: forBob.code } })).body).toEqual({ spaceId: space.id, role: 'cohost' });
    expect((await call('POST', '/api/invites/accept', { token: t.bob, body: { code: forBob.code } })).body.error?.code).toBe('INVALID_STATE');
  });
});
