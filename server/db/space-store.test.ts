/**
 * Spaces, their schedule, stage and invites in the database, on both backends: what each port
 * method stores and refuses, and the races (a host scheduling past the bound, one code accepted
 * many times at once, three invites for two co-host seats) that row locks must settle.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { codeOf } from '../../test/support/error-codes.ts';
import { BACKENDS, useTestDatabases, type TestBackend } from '../../test/support/test-databases.ts';
import { hashSessionToken, newSessionToken } from '../accounts/session-token.ts';
import { MAX_PENDING_INVITES_PER_SPACE, MAX_SCHEDULED_PER_DAY, MAX_SCHEDULED_PER_HOST } from '../domain/schedule.ts';
import type { SpaceId } from '../domain/space.ts';
import { Database } from './database.ts';
import { KyselyInviteRecords } from './invite-store.ts';
import { KyselySpaceRecords, KyselyStageRecords } from './space-store.ts';

const logger = pino({ level: 'silent' });
const databases = useTestDatabases();
const open: Database[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((d) => d.close()));
});

const HOUR = 3600_000;
const inHours = (h: number) => new Date(Date.now() + h * HOUR);

async function setUp(backend: TestBackend) {
  const database = await Database.open(await databases.fresh(backend), logger);
  open.push(database);
  const rows = await database.db
    .insertInto('accounts')
    .values(['ada', 'bob', 'cyd', 'dee', 'eve'].map((handle) => ({ handle, display_name: `The ${handle}`, password_hash: 'x' })))
    .returning(['id', 'handle'])
    .execute();
  const id = Object.fromEntries(rows.map((r) => [r.handle, r.id])) as Record<'ada' | 'bob' | 'cyd' | 'dee' | 'eve', string>;
  return {
    database,
    id,
    spaces: new KyselySpaceRecords(database.db),
    stage: new KyselyStageRecords(database.db),
    invites: new KyselyInviteRecords(database.db),
  };
}

const schedule = { title: 'Morning show', startsAt: inHours(2), timeZone: 'Europe/Paris' };

describe.each(BACKENDS)('Space records on %s', (backend) => {
  it('stores a Space started at once, takes a scheduled one live, ends it once', async () => {
    const { spaces, id } = await setUp(backend);
    const live = await spaces.createLive({ hostAccountId: id.ada, title: 'Now' });
    expect(live).toMatchObject({ hostAccountId: id.ada, title: 'Now', status: 'live', scheduledFor: null, timeZone: null, endedAt: null });
    expect(live.id).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(live.startedAt).toBeInstanceOf(Date);

    const planned = await spaces.schedule(id.ada, schedule);
    expect(planned).toMatchObject({ status: 'scheduled', scheduledFor: schedule.startsAt, timeZone: 'Europe/Paris', startedAt: null });
    expect(await codeOf(spaces.goLive(planned.id, id.bob))).toBe('NOT_FOUND');
    expect(await codeOf(spaces.goLive('nope' as SpaceId, id.ada))).toBe('NOT_FOUND');
    const started = await spaces.goLive(planned.id, id.ada);
    expect(started).toMatchObject({ status: 'live', scheduledFor: schedule.startsAt });
    expect(await codeOf(spaces.goLive(planned.id, id.ada))).toBe('INVALID_STATE');
    expect((await spaces.listLive()).map((s) => s.id).sort()).toEqual([live.id, planned.id].sort());

    const at = new Date();
    await spaces.markEnded(live.id, 'host-ended', at);
    await spaces.markEnded(live.id, 'server-shutdown', new Date(at.getTime() + 5000)); // no-op: ended already
    expect(await spaces.get(live.id)).toMatchObject({ status: 'ended', endReason: 'host-ended', endedAt: at });
    // A scheduled Space is not ended by markEnded (only live → ended).
    const other = await spaces.schedule(id.ada, schedule);
    await spaces.markEnded(other.id, 'host-ended', at);
    expect((await spaces.get(other.id))?.status).toBe('scheduled');
    expect((await spaces.listLive()).map((s) => s.id)).toEqual([planned.id]);
    expect(await spaces.get('missing' as SpaceId)).toBeNull();
  });

  it('edits and cancels only the host’s own scheduled Spaces, and lists the host’s upcoming ones soonest first', async () => {
    const { spaces, id } = await setUp(backend);
    const later = await spaces.schedule(id.ada, { ...schedule, startsAt: inHours(48) });
    const sooner = await spaces.schedule(id.ada, { ...schedule, title: 'Sooner', startsAt: inHours(1) });
    await spaces.schedule(id.bob, schedule);

    const at = new Date();
    const edited = await spaces.edit(later.id, id.ada, { title: 'Renamed', timeZone: 'Asia/Tokyo' }, at);
    expect(edited).toMatchObject({ title: 'Renamed', timeZone: 'Asia/Tokyo', scheduledFor: later.scheduledFor });
    expect(await codeOf(spaces.edit(later.id, id.bob, { title: 'Hijack' }, at))).toBe('PERMISSION_DENIED');
    expect(await codeOf(spaces.cancel(later.id, id.bob, at))).toBe('PERMISSION_DENIED');
    expect(await codeOf(spaces.edit('missing' as SpaceId, id.ada, { title: 'x' }, at))).toBe('NOT_FOUND');
    expect((await spaces.get(later.id))?.title).toBe('Renamed');

    expect((await spaces.upcoming(id.ada)).map((s) => s.title)).toEqual(['Sooner', 'Renamed']);
    await spaces.goLive(later.id, id.ada);
    expect(await codeOf(spaces.edit(later.id, id.ada, { title: 'Too late' }, at))).toBe('INVALID_STATE');
    expect(await codeOf(spaces.cancel(later.id, id.ada, at))).toBe('INVALID_STATE');

    const cancelled = await spaces.cancel(sooner.id, id.ada, at);
    expect(cancelled).toMatchObject({ status: 'cancelled', endedAt: at });
    expect(await codeOf(spaces.cancel(sooner.id, id.ada, at))).toBe('INVALID_STATE');
    expect(await codeOf(spaces.edit(sooner.id, id.ada, { title: 'Back' }, at))).toBe('INVALID_STATE');
    expect((await spaces.upcoming(id.ada)).map((s) => [s.title, s.status])).toEqual([['Renamed', 'live']]);

    expect(await spaces.publicSpace(sooner.id)).toMatchObject({ status: 'cancelled', host: { handle: 'ada', displayName: 'The ada' } });
    expect(await spaces.publicSpace('missing' as SpaceId)).toBeNull();
  });

  it('lets a host hold at most 50 scheduled Spaces, even when the requests race', async () => {
    const { spaces, id } = await setUp(backend);
    const results = await Promise.all(Array.from({ length: MAX_SCHEDULED_PER_HOST + 10 }, () => codeOf(spaces.schedule(id.ada, schedule))));
    expect(results.filter((r) => r === 'OK')).toHaveLength(MAX_SCHEDULED_PER_HOST);
    expect(results.filter((r) => r === 'LIMIT_EXCEEDED')).toHaveLength(10);
    // Another host is not held back; cancelling one makes room again.
    expect(await codeOf(spaces.schedule(id.bob, schedule))).toBe('OK');
    const [first] = await spaces.upcoming(id.ada);
    await spaces.cancel(first!.id, id.ada, new Date());
    expect(await codeOf(spaces.schedule(id.ada, schedule))).toBe('OK');
  });

  it('lets a host schedule at most 100 Spaces in 24 hours, cancelled ones included', async () => {
    const { database, spaces, id } = await setUp(backend);
    for (let i = 0; i < MAX_SCHEDULED_PER_DAY; i++) {
      const space = await spaces.schedule(id.ada, schedule);
      await spaces.cancel(space.id, id.ada, new Date());
    }
    expect(await codeOf(spaces.schedule(id.ada, schedule))).toBe('LIMIT_EXCEEDED');
    // Spaces started at once do not count; a day later the count starts again.
    await spaces.createLive({ hostAccountId: id.bob, title: 'Now' });
    await database.db.updateTable('spaces').set({ created_at: new Date(Date.now() - 25 * 3600_000) } as never).where('host_account_id', '=', id.ada).execute();
    expect(await codeOf(spaces.schedule(id.ada, schedule))).toBe('OK');
  });

  it('keeps roles and bans on the stage', async () => {
    const { spaces, stage, id } = await setUp(backend);
    const space = await spaces.createLive({ hostAccountId: id.ada, title: 'Stage' });
    const other = await spaces.createLive({ hostAccountId: id.ada, title: 'Other' });
    await stage.saveRole(space.id, id.bob, 'speaker');
    await stage.saveRole(space.id, id.cyd, 'cohost');
    await stage.saveRole(space.id, id.bob, 'cohost'); // promoted: one row, the new role
    await stage.saveRole(other.id, id.dee, 'speaker');
    expect(await stage.roles(space.id)).toEqual(
      expect.arrayContaining([
        { accountId: id.bob, role: 'cohost' },
        { accountId: id.cyd, role: 'cohost' },
      ]),
    );
    expect(await stage.roles(space.id)).toHaveLength(2);
    await stage.saveRole(space.id, id.cyd, null);
    await stage.saveRole(space.id, id.cyd, null); // clearing twice is fine
    expect(await stage.roles(space.id)).toEqual([{ accountId: id.bob, role: 'cohost' }]);

    expect(await stage.isBanned(space.id, id.eve)).toBe(false);
    await stage.ban(space.id, id.eve);
    await stage.ban(space.id, id.eve); // idempotent
    expect(await stage.isBanned(space.id, id.eve)).toBe(true);
    expect(await stage.isBanned(other.id, id.eve)).toBe(false);
  });

  it('enforces the schema: statuses, a scheduled Space’s time and zone, roles', async () => {
    const { database, id } = await setUp(backend);
    const { db } = database;
    await expect(db.insertInto('spaces').values({ id: 'a1', host_account_id: id.ada, title: 'x', status: 'paused' as 'live', started_at: new Date() }).execute()).rejects.toThrow(/check/i);
    await expect(db.insertInto('spaces').values({ id: 'a2', host_account_id: id.ada, title: 'x', status: 'scheduled' }).execute()).rejects.toThrow(/check/i);
    await expect(db.insertInto('spaces').values({ id: 'a3', host_account_id: id.ada, title: '', status: 'live', started_at: new Date() }).execute()).rejects.toThrow(/check/i);
    await expect(db.insertInto('spaces').values({ id: 'a b', host_account_id: id.ada, title: 'x', status: 'live', started_at: new Date() }).execute()).rejects.toThrow(/check/i);
    await db.insertInto('spaces').values({ id: 'a4', host_account_id: id.ada, title: 'x', status: 'live', started_at: new Date() }).execute();
    await expect(db.insertInto('space_roles').values({ space_id: 'a4', account_id: id.bob, role: 'host' as 'cohost' }).execute()).rejects.toThrow(/check/i);
    await expect(db.insertInto('space_roles').values({ space_id: 'nope', account_id: id.bob, role: 'cohost' }).execute()).rejects.toThrow(/foreign key/i);
  });
});

describe.each(BACKENDS)('co-host invites on %s', (backend) => {
  async function withSpace(backend: TestBackend) {
    const fixture = await setUp(backend);
    const space = await fixture.spaces.schedule(fixture.id.ada, schedule);
    const invite = async (accountId: string, expiresAt = inHours(24)) => {
      const { token, hash } = newSessionToken();
      const stored = await fixture.invites.create({ spaceId: space.id, hostAccountId: fixture.id.ada, accountId, codeHash: hash, expiresAt, now: new Date() });
      return { code: token, stored };
    };
    const accept = (codeText: string, accountId: string, now = new Date()) => fixture.invites.accept(hashSessionToken(codeText), accountId, now);
    return { ...fixture, space, invite, accept };
  }

  it('stores only a hash of the code; the invited account accepts it once and becomes a co-host', async () => {
    const { database, stage, invites, id, space, invite, accept } = await withSpace(backend);
    const { code: text, stored } = await invite(id.bob);
    expect(stored).toMatchObject({ spaceId: space.id, accountId: id.bob, handle: 'bob', displayName: 'The bob', usedAt: null, revokedAt: null });
    const row = await database.db.selectFrom('space_invites').select('code_hash').executeTakeFirstOrThrow();
    expect(row.code_hash).toEqual(hashSessionToken(text));
    expect(Buffer.from(row.code_hash).toString('base64url')).not.toBe(text);

    // Someone else holding the code cannot use it, and trying does not spend it.
    expect(await codeOf(accept(text, id.cyd))).toBe('PERMISSION_DENIED');
    expect(await accept(text, id.bob)).toEqual({ spaceId: space.id, role: 'cohost' });
    expect(await stage.roles(space.id)).toEqual([{ accountId: id.bob, role: 'cohost' }]);
    expect(await codeOf(accept(text, id.bob))).toBe('INVALID_STATE');
    expect(await codeOf(accept(newSessionToken().token, id.bob))).toBe('NOT_FOUND');
    const [listed] = await invites.list(space.id, id.ada);
    expect(listed?.usedAt).toBeInstanceOf(Date);
  });

  it('one code accepted twenty times at once: exactly one succeeds', async () => {
    const { stage, id, space, invite, accept } = await withSpace(backend);
    const { code: text } = await invite(id.bob);
    const results = await Promise.all(Array.from({ length: 20 }, () => codeOf(accept(text, id.bob))));
    expect(results.filter((r) => r === 'OK')).toHaveLength(1);
    expect(results.filter((r) => r === 'INVALID_STATE')).toHaveLength(19);
    expect(await stage.roles(space.id)).toEqual([{ accountId: id.bob, role: 'cohost' }]);
  });

  it('three invites racing for two co-host seats: two succeed, the third invite stays unused', async () => {
    const { stage, invites, id, space, invite, accept } = await withSpace(backend);
    const people = [id.bob, id.cyd, id.dee];
    const codes = await Promise.all(people.map(async (person) => ({ person, text: (await invite(person)).code })));
    const results = await Promise.all(codes.map(({ person, text }) => codeOf(accept(text, person))));
    expect(results.filter((r) => r === 'OK')).toHaveLength(2);
    expect(results.filter((r) => r === 'LIMIT_EXCEEDED')).toHaveLength(1);
    expect(await stage.roles(space.id)).toHaveLength(2);
    const unused = (await invites.list(space.id, id.ada)).filter((i) => i.usedAt === null);
    expect(unused).toHaveLength(1);
    expect(unused[0]?.revokedAt).toBeNull();
  });

  it('refuses expired, revoked and replaced codes, and a removed account', async () => {
    const { stage, invites, id, space, invite, accept } = await withSpace(backend);
    const expired = await invite(id.bob, new Date(Date.now() + 60_000));
    expect(await codeOf(accept(expired.code, id.bob, new Date(Date.now() + 61_000)))).toBe('INVALID_STATE');

    const replaced = await invite(id.cyd);
    const replacing = await invite(id.cyd);
    expect(await codeOf(accept(replaced.code, id.cyd))).toBe('INVALID_STATE');

    expect(await codeOf(invites.revoke(space.id, replacing.stored.id, id.bob, new Date()))).toBe('PERMISSION_DENIED');
    await invites.revoke(space.id, replacing.stored.id, id.ada, new Date());
    await invites.revoke(space.id, replacing.stored.id, id.ada, new Date()); // idempotent
    expect(await codeOf(accept(replacing.code, id.cyd))).toBe('INVALID_STATE');
    expect(await codeOf(invites.revoke(space.id, 'not-a-uuid', id.ada, new Date()))).toBe('NOT_FOUND');
    expect(await codeOf(invites.revoke(space.id, '00000000-0000-4000-8000-000000000000', id.ada, new Date()))).toBe('NOT_FOUND');

    const banned = await invite(id.eve);
    await stage.ban(space.id, id.eve);
    expect(await codeOf(accept(banned.code, id.eve))).toBe('PERMISSION_DENIED');

    const used = await invite(id.dee);
    await accept(used.code, id.dee);
    expect(await codeOf(invites.revoke(space.id, used.stored.id, id.ada, new Date()))).toBe('INVALID_STATE');
    expect(await stage.roles(space.id)).toEqual([{ accountId: id.dee, role: 'cohost' }]);
  });

  it('only the host invites and lists, for someone else, on a scheduled or live Space; cancelling revokes what is pending', async () => {
    const { spaces, invites, id, space, invite, accept } = await withSpace(backend);
    const hash = () => newSessionToken().hash;
    const now = new Date();
    expect(await codeOf(invites.create({ spaceId: space.id, hostAccountId: id.bob, accountId: id.cyd, codeHash: hash(), expiresAt: inHours(1), now }))).toBe('PERMISSION_DENIED');
    expect(await codeOf(invites.create({ spaceId: space.id, hostAccountId: id.ada, accountId: id.ada, codeHash: hash(), expiresAt: inHours(1), now }))).toBe('VALIDATION');
    expect(await codeOf(invites.create({ spaceId: 'missing' as SpaceId, hostAccountId: id.ada, accountId: id.bob, codeHash: hash(), expiresAt: inHours(1), now }))).toBe('NOT_FOUND');
    expect(await codeOf(invites.list(space.id, id.bob))).toBe('PERMISSION_DENIED');

    const pending = await invite(id.bob);
    await spaces.cancel(space.id, id.ada, new Date());
    expect((await invites.list(space.id, id.ada))[0]?.revokedAt).toBeInstanceOf(Date);
    expect(await codeOf(accept(pending.code, id.bob))).toBe('INVALID_STATE');
    expect(await codeOf(invite(id.cyd))).toBe('INVALID_STATE');
  });

  it('bounds a Space’s pending invites', async () => {
    const { database, invites, id, space } = await withSpace(backend);
    // Twenty pending invites (for distinct accounts: one person's new invite replaces their old one).
    const extra = await database.db
      .insertInto('accounts')
      .values(Array.from({ length: MAX_PENDING_INVITES_PER_SPACE + 1 }, (_, i) => ({ handle: `guest${i}`, display_name: `Guest ${i}`, password_hash: 'x' })))
      .returning('id')
      .execute();
    const create = (accountId: string) => invites.create({ spaceId: space.id, hostAccountId: id.ada, accountId, codeHash: newSessionToken().hash, expiresAt: inHours(1), now: new Date() });
    for (const guest of extra.slice(0, MAX_PENDING_INVITES_PER_SPACE)) await create(guest.id);
    expect(await codeOf(create(extra.at(-1)!.id))).toBe('LIMIT_EXCEEDED');
    const [newest] = await invites.list(space.id, id.ada);
    await invites.revoke(space.id, newest!.id, id.ada, new Date());
    expect(await codeOf(create(extra.at(-1)!.id))).toBe('OK');
  });
});
