/** The `AccountStore` port over Kysely: the same statements on PGlite and PostgreSQL. */
import { sql, type ExpressionBuilder } from 'kysely';
import type { Account, AccountId, AccountStore, Handle, Profile } from '../domain/account.ts';
import type { Db } from './database.ts';
import type { AccountRow, Tables } from './schema.ts';

type AccountColumns = Pick<AccountRow, 'id' | 'handle' | 'display_name' | 'created_at'>;

const toAccount = (row: AccountColumns): Account => ({
  id: row.id as AccountId,
  handle: row.handle as Handle,
  displayName: row.display_name,
  createdAt: row.created_at,
});

const counts = (eb: ExpressionBuilder<Tables, 'accounts'>) => [
  eb.selectFrom('follows').whereRef('follows.followee_id', '=', 'accounts.id').select((e) => e.fn.countAll<number>().as('n')).as('followers'),
  eb.selectFrom('follows').whereRef('follows.follower_id', '=', 'accounts.id').select((e) => e.fn.countAll<number>().as('n')).as('following'),
];

function toProfile(row: (AccountColumns & { followers: number | null; following: number | null }) | undefined): Profile | null {
  return row ? { ...toAccount(row), followers: row.followers ?? 0, following: row.following ?? 0 } : null;
}

export class KyselyAccountStore implements AccountStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async create(account: { handle: Handle; displayName: string; passwordHash: string }): Promise<Account | null> {
    const row = await this.#db
      .insertInto('accounts')
      .values({ handle: account.handle, display_name: account.displayName, password_hash: account.passwordHash })
      .onConflict((oc) => oc.doNothing())
      .returning(['id', 'handle', 'display_name', 'created_at'])
      .executeTakeFirst();
    return row ? toAccount(row) : null;
  }

  async findByHandle(handle: Handle): Promise<(Account & { passwordHash: string }) | null> {
    const row = await this.#db
      .selectFrom('accounts')
      .select(['id', 'handle', 'display_name', 'created_at', 'password_hash'])
      .where(sql<string>`lower(handle)`, '=', handle.toLowerCase())
      .executeTakeFirst();
    return row ? { ...toAccount(row), passwordHash: row.password_hash } : null;
  }

  async profile(handle: Handle): Promise<Profile | null> {
    return toProfile(await this.#profileQuery().where(sql<string>`lower(handle)`, '=', handle.toLowerCase()).executeTakeFirst());
  }

  async profileById(id: AccountId): Promise<Profile | null> {
    return toProfile(await this.#profileQuery().where('id', '=', id).executeTakeFirst());
  }

  #profileQuery() {
    return this.#db.selectFrom('accounts').select((eb) => ['id', 'handle', 'display_name', 'created_at', ...counts(eb)]);
  }

  async createSession(session: { tokenHash: Uint8Array; accountId: AccountId; expiresAt: Date }): Promise<void> {
    await this.#db.insertInto('sessions').values({ token_hash: session.tokenHash, account_id: session.accountId, expires_at: session.expiresAt }).execute();
  }

  async accountForSession(tokenHash: Uint8Array, now: Date): Promise<Account | null> {
    const row = await this.#db
      .selectFrom('sessions')
      .innerJoin('accounts', 'accounts.id', 'sessions.account_id')
      .select(['accounts.id', 'accounts.handle', 'accounts.display_name', 'accounts.created_at'])
      .where('sessions.token_hash', '=', tokenHash)
      .where('sessions.expires_at', '>', now)
      .executeTakeFirst();
    return row ? toAccount(row) : null;
  }

  async deleteSession(tokenHash: Uint8Array): Promise<void> {
    await this.#db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
  }

  async follow(follower: AccountId, followee: AccountId): Promise<void> {
    await this.#db.insertInto('follows').values({ follower_id: follower, followee_id: followee }).onConflict((oc) => oc.doNothing()).execute();
  }

  async unfollow(follower: AccountId, followee: AccountId): Promise<void> {
    await this.#db.deleteFrom('follows').where('follower_id', '=', follower).where('followee_id', '=', followee).execute();
  }
}
