/**
 * The scheduler's view of a Space for its page: a crowd polling one scheduled Space, or a flood of
 * made-up ids, costs the database one read per id per two seconds; the host's own edit shows at once.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountService } from '../accounts/account-service.ts';
import { KyselyAccountStore } from '../db/account-store.ts';
import { Database } from '../db/database.ts';
import { KyselyInviteRecords } from '../db/invite-store.ts';
import { KyselySpaceRecords } from '../db/space-store.ts';
import type { Account } from '../domain/account.ts';
import { SpacecraftError } from '../errors.ts';
import type { SpaceId } from '../domain/space.ts';
import type { PublicSpace } from './schedule-records.ts';
import { SpaceScheduler } from './space-scheduler.ts';

let database: Database;
beforeAll(async () => {
  database = await Database.open({ kind: 'pglite', dataDir: null }, pino({ level: 'silent' }));
});
afterAll(async () => {
  await database?.close();
});

/** Space records that count how often the page's view is read from the database. */
class CountingRecords extends KyselySpaceRecords {
  reads = 0;
  override publicSpace(id: SpaceId): Promise<PublicSpace | null> {
    this.reads += 1;
    return super.publicSpace(id);
  }
}

describe('the scheduler’s view of a Space for its page', () => {
  it('reads the database once per id per two seconds, at once after an edit, for at most a thousand ids', async () => {
    const accounts = new AccountService(new KyselyAccountStore(database.db), {
      hostMinFollowers: 0,
      sessionDays: 1,
      limits: { attemptsPerIp: 100, failedSignInsPerHandle: 100 },
      scryptParams: { N: 1024, r: 8, p: 1 },
    });
    const session = await accounts.signUp('127.0.0.1', { handle: 'ada', displayName: 'Ada', password: 'a long password' });
    const ada: Account = session.account;
    const records = new CountingRecords(database.db);
    let now = Date.parse('2026-06-01T10:00:00Z');
    const scheduler = new SpaceScheduler({ accounts, spaces: records, invites: new KyselyInviteRecords(database.db), now: () => new Date(now) });
    const space = await scheduler.schedule(ada, { title: 'Show', startsAt: new Date(now + 3600_000), timeZone: 'UTC' });

    const crowd = await Promise.all(Array.from({ length: 200 }, () => scheduler.publicSpace(space.id)));
    expect(crowd.every((s) => s?.title === 'Show' && s.host.handle === 'ada')).toBe(true);
    expect(records.reads).toBe(1);

    // The host's edit shows at once.
    await scheduler.edit(ada, space.id, { title: 'Renamed' });
    expect((await scheduler.publicSpace(space.id))?.title).toBe('Renamed');
    expect(records.reads).toBe(2);

    // Two seconds later the database is asked again.
    now += 1999;
    await scheduler.publicSpace(space.id);
    expect(records.reads).toBe(2);
    now += 1;
    await scheduler.publicSpace(space.id);
    expect(records.reads).toBe(3);

    // Made-up ids are remembered as "no such Space" too, and at most a thousand ids are kept.
    for (let i = 0; i < 1000; i++) expect(await scheduler.publicSpace(`made-up-${i}`)).toBeNull();
    expect(records.reads).toBe(1003);
    for (let i = 0; i < 1000; i++) await scheduler.publicSpace(`made-up-${i}`);
    expect(records.reads).toBe(1003);
    // The thousand made-up ids pushed the real one out: it is read again.
    await scheduler.publicSpace(space.id);
    expect(records.reads).toBe(1004);

    // Cancelling shows at once, too.
    await scheduler.cancel(ada, space.id);
    expect((await scheduler.publicSpace(space.id))?.status).toBe('cancelled');
  });
});

describe('accepting an invite', () => {
  it('does not count a live stage’s refusal to seat the co-host as a failed code', async () => {
    const accounts = new AccountService(new KyselyAccountStore(database.db), {
      hostMinFollowers: 0,
      sessionDays: 1,
      limits: { attemptsPerIp: 100, failedSignInsPerHandle: 100 },
      scryptParams: { N: 1024, r: 8, p: 1 },
    });
    const host = (await accounts.signUp('127.0.0.1', { handle: 'hosting', displayName: 'Host', password: 'a long password' })).account;
    const guest = (await accounts.signUp('127.0.0.1', { handle: 'guest', displayName: 'Guest', password: 'a long password' })).account;
    const seated: string[] = [];
    const scheduler = new SpaceScheduler({
      accounts,
      spaces: new KyselySpaceRecords(database.db),
      invites: new KyselyInviteRecords(database.db),
      limits: { changesPerMinute: 100, failedAcceptsPer15Minutes: 1 },
      onCohost: (spaceId) => {
        seated.push(spaceId);
        return seated.length === 1 ? Promise.reject(new SpacecraftError('INVALID_STATE', 'The stage is busy.')) : Promise.resolve();
      },
    });
    const first = await scheduler.schedule(host, { title: 'One', startsAt: new Date(Date.now() + 3600_000), timeZone: 'UTC' });
    const second = await scheduler.schedule(host, { title: 'Two', startsAt: new Date(Date.now() + 3600_000), timeZone: 'UTC' });
    const a = await scheduler.invite(host, first.id, { handle: 'guest' });
    const b = await scheduler.invite(host, second.id, { handle: 'guest' });
    await expect(scheduler.accept(guest, '127.0.0.9', a.code)).rejects.toThrow('The stage is busy.');
    // With a lock after one failure, the next accept would be refused had that counted.
    expect(await scheduler.accept(guest, '127.0.0.9', b.code)).toEqual({ spaceId: second.id, role: 'cohost' });
    expect(seated).toEqual([first.id, second.id]);
    // A wrong code does count.
    await expect(scheduler.accept(guest, '127.0.0.9', 'x'.repeat(43))).rejects.toThrow('There is no invite with that code.');
    await expect(scheduler.accept(guest, '127.0.0.9', b.code)).rejects.toThrow(/Too many invite codes/);
  });
});

