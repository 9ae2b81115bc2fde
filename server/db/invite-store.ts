/**
 * Co-host invites in the database (`InviteRecords`). Only the SHA-256 of an invite's code is kept.
 *
 * Locks are always taken in one order, the Space's row first and then its invites', so an accept
 * racing a cancel or another accept waits rather than deadlocks; and every check that counts rows
 * (pending invites, co-hosts) runs while the Space's row is locked.
 */
import type { Transaction } from 'kysely';
import { assertMayAddInvite, assertMayBecomeCohost, assertMayInvite, inviteRefusal } from '../domain/schedule.ts';
import type { SpaceId } from '../domain/space.ts';
import { InvalidStateError, NotFoundError, PermissionError } from '../errors.ts';
import type { InviteId, InviteRecords, StoredInvite } from '../spaces/schedule-records.ts';
import type { Db } from './database.ts';
import type { InviteRow, Tables } from './schema.ts';
import { lockHostedSpace } from './space-store.ts';

type InviteWithAccount = Pick<InviteRow, 'id' | 'space_id' | 'account_id' | 'expires_at' | 'used_at' | 'revoked_at' | 'created_at'> & { handle: string; display_name: string };

const toInvite = (row: InviteWithAccount): StoredInvite => ({
  id: row.id as InviteId,
  spaceId: row.space_id as SpaceId,
  accountId: row.account_id,
  handle: row.handle,
  displayName: row.display_name,
  expiresAt: row.expires_at,
  usedAt: row.used_at,
  revokedAt: row.revoked_at,
  createdAt: row.created_at,
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function invitesWithAccounts(db: Db | Transaction<Tables>) {
  return db
    .selectFrom('space_invites')
    .innerJoin('accounts', 'accounts.id', 'space_invites.account_id')
    .select([
      'space_invites.id',
      'space_invites.space_id',
      'space_invites.account_id',
      'space_invites.expires_at',
      'space_invites.used_at',
      'space_invites.revoked_at',
      'space_invites.created_at',
      'accounts.handle',
      'accounts.display_name',
    ]);
}

export class KyselyInviteRecords implements InviteRecords {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async create(input: { spaceId: SpaceId; hostAccountId: string; accountId: string; codeHash: Uint8Array; expiresAt: Date; now: Date }): Promise<StoredInvite> {
    return this.#db.transaction().execute(async (trx) => {
      const space = await lockHostedSpace(trx, input.spaceId, input.hostAccountId, 'invite co-hosts to');
      assertMayInvite({ status: space.status, hostAccountId: space.host_account_id }, input.hostAccountId, input.accountId);
      // The same person's earlier pending invite stops working: one live code per person.
      await trx
        .updateTable('space_invites')
        .set({ revoked_at: input.now })
        .where('space_id', '=', input.spaceId)
        .where('account_id', '=', input.accountId)
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
        .execute();
      const counts = await trx
        .selectFrom('space_invites')
        .select((eb) => [
          eb.fn.countAll<number>().as('total'),
          eb.fn
            .count<number>('id')
            .filterWhere((w) => w.and([w('used_at', 'is', null), w('revoked_at', 'is', null), w('expires_at', '>', input.now)]))
            .as('pending'),
        ])
        .where('space_id', '=', input.spaceId)
        .executeTakeFirstOrThrow();
      assertMayAddInvite({ pending: Number(counts.pending), total: Number(counts.total) });
      const { id } = await trx
        .insertInto('space_invites')
        .values({ space_id: input.spaceId, account_id: input.accountId, code_hash: input.codeHash, created_by: input.hostAccountId, expires_at: input.expiresAt })
        .returning('id')
        .executeTakeFirstOrThrow();
      return toInvite(await invitesWithAccounts(trx).where('space_invites.id', '=', id).executeTakeFirstOrThrow());
    });
  }

  async list(spaceId: SpaceId, hostAccountId: string): Promise<StoredInvite[]> {
    const space = await this.#db.selectFrom('spaces').select('host_account_id').where('id', '=', spaceId).executeTakeFirst();
    if (!space) throw new NotFoundError('There is no Space with that id.');
    if (space.host_account_id !== hostAccountId) throw new PermissionError('Only the host can see this Space’s invites.');
    const rows = await invitesWithAccounts(this.#db)
      .where('space_invites.space_id', '=', spaceId)
      .orderBy('space_invites.created_at', 'desc')
      .orderBy('space_invites.id')
      .execute();
    return rows.map(toInvite);
  }

  async revoke(spaceId: SpaceId, inviteId: string, hostAccountId: string, at: Date): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await lockHostedSpace(trx, spaceId, hostAccountId, 'revoke invites to');
      const invite = UUID.test(inviteId)
        ? await trx.selectFrom('space_invites').select(['used_at', 'revoked_at']).where('id', '=', inviteId).where('space_id', '=', spaceId).forUpdate().executeTakeFirst()
        : undefined;
      if (!invite) throw new NotFoundError('This Space has no such invite.');
      if (invite.used_at) throw new InvalidStateError('This invite has already been used: remove the co-host from the stage instead.');
      if (!invite.revoked_at) await trx.updateTable('space_invites').set({ revoked_at: at }).where('id', '=', inviteId).execute();
    });
  }

  async accept(codeHash: Uint8Array, accountId: string, now: Date): Promise<{ spaceId: SpaceId; role: 'cohost' }> {
    return this.#db.transaction().execute(async (trx) => {
      const found = await trx.selectFrom('space_invites').select('space_id').where('code_hash', '=', codeHash).executeTakeFirst();
      if (!found) throw new NotFoundError('There is no invite with that code.');
      // The Space first, then the invite: the order every writer of invites follows.
      const space = await trx.selectFrom('spaces').select(['status', 'host_account_id']).where('id', '=', found.space_id).forUpdate().executeTakeFirstOrThrow();
      const invite = await trx
        .selectFrom('space_invites')
        .select(['id', 'account_id', 'expires_at', 'used_at', 'revoked_at'])
        .where('code_hash', '=', codeHash)
        .forUpdate()
        .executeTakeFirstOrThrow();
      const refusal = inviteRefusal({ accountId: invite.account_id, expiresAt: invite.expires_at, usedAt: invite.used_at, revokedAt: invite.revoked_at }, accountId, now);
      if (refusal) throw refusal;
      const banned = await trx.selectFrom('space_bans').select('account_id').where('space_id', '=', found.space_id).where('account_id', '=', accountId).executeTakeFirst();
      if (banned) throw new PermissionError('You were removed from this Space and cannot rejoin it.');
      const { n } = await trx
        .selectFrom('space_roles')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('space_id', '=', found.space_id)
        .where('role', '=', 'cohost')
        .where('account_id', '<>', accountId)
        .executeTakeFirstOrThrow();
      assertMayBecomeCohost({ status: space.status, hostAccountId: space.host_account_id }, accountId, Number(n));
      await trx.updateTable('space_invites').set({ used_at: now }).where('id', '=', invite.id).execute();
      await trx
        .insertInto('space_roles')
        .values({ space_id: found.space_id, account_id: accountId, role: 'cohost' })
        .onConflict((oc) => oc.columns(['space_id', 'account_id']).doUpdateSet({ role: 'cohost' }))
        .execute();
      return { spaceId: found.space_id as SpaceId, role: 'cohost' as const };
    });
  }
}
