/**
 * Demo data, so that a new user can try everything after `npm start`: a creator with enough
 * followers to host, a few listener accounts that can sign in, and the followers themselves
 * (accounts that cannot sign in). Idempotent: run it again and nothing is duplicated.
 */
import { sql } from 'kysely';
import { hashPassword, type ScryptParams } from '../accounts/password.ts';
import type { Db } from './database.ts';

export const DEMO_PASSWORD = 'spacecraft-demo';
export const DEMO_CREATOR = { handle: 'demo_creator', displayName: 'Demo Creator' };
export const DEMO_LISTENERS = [
  { handle: 'demo_ada', displayName: 'Ada (demo)' },
  { handle: 'demo_bob', displayName: 'Bob (demo)' },
  { handle: 'demo_cyd', displayName: 'Cyd (demo)' },
];
/** Not an scrypt hash: no password signs these accounts in. */
const NO_PASSWORD = 'disabled';

export async function seedDemo(db: Db, options: { followers: number; scryptParams?: ScryptParams }): Promise<{ creatorFollowers: number }> {
  const people = [DEMO_CREATOR, ...DEMO_LISTENERS];
  const hashes = await Promise.all(people.map(() => hashPassword(DEMO_PASSWORD, options.scryptParams)));
  const fans = Array.from({ length: options.followers }, (_, i) => ({
    handle: `demo_fan_${String(i + 1).padStart(4, '0')}`,
    display_name: `Fan ${i + 1} (demo)`,
    password_hash: NO_PASSWORD,
  }));
  const rows = [...people.map((p, i) => ({ handle: p.handle, display_name: p.displayName, password_hash: hashes[i]! })), ...fans];
  // In chunks: one statement stays well under PostgreSQL's 65,535 parameters.
  for (let i = 0; i < rows.length; i += 1000) {
    await db.insertInto('accounts').values(rows.slice(i, i + 1000)).onConflict((oc) => oc.doNothing()).execute();
  }
  // Every other demo account follows the creator; the listeners follow each other's creator only.
  await sql`
    insert into follows (follower_id, followee_id)
    select f.id, c.id from accounts f, accounts c
    where c.handle = ${DEMO_CREATOR.handle} and f.handle like 'demo\\_%' and f.id <> c.id
    on conflict do nothing
  `.execute(db);
  const { n } = await db
    .selectFrom('follows')
    .innerJoin('accounts', 'accounts.id', 'follows.followee_id')
    .where('accounts.handle', '=', DEMO_CREATOR.handle)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return { creatorFollowers: n };
}
