import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { BACKENDS, useTestDatabases } from '../../test/support/test-databases.ts';
import { verifyPassword } from '../accounts/password.ts';
import { Database } from './database.ts';
import { DEMO_CREATOR, DEMO_LISTENERS, DEMO_PASSWORD, seedDemo } from './seed.ts';

const logger = pino({ level: 'silent' });
const databases = useTestDatabases();
const cheap = { N: 1024, r: 8, p: 1 };

describe.each(BACKENDS)('demo seed on %s', (backend) => {
  it('gives the demo creator enough followers to host, listeners that can sign in, and is idempotent', async () => {
    const database = await Database.open(await databases.fresh(backend), logger);
    expect(await seedDemo(database.db, { followers: 600, scryptParams: cheap })).toEqual({ creatorFollowers: 603 });
    expect(await seedDemo(database.db, { followers: 600, scryptParams: cheap })).toEqual({ creatorFollowers: 603 });
    const accounts = await database.db.selectFrom('accounts').select(['handle', 'password_hash']).execute();
    expect(accounts).toHaveLength(604);
    for (const handle of [DEMO_CREATOR.handle, ...DEMO_LISTENERS.map((l) => l.handle)]) {
      const account = accounts.find((a) => a.handle === handle)!;
      expect(await verifyPassword(DEMO_PASSWORD, account.password_hash), handle).toBe(true);
    }
    // The followers themselves cannot be signed into.
    const fan = accounts.find((a) => a.handle === 'demo_fan_0001')!;
    expect(await verifyPassword(DEMO_PASSWORD, fan.password_hash)).toBe(false);
    await database.close();
  });
});
