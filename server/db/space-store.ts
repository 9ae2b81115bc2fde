/**
 * Spaces in the database: their record (`SpaceRecords`), their schedule (`ScheduleRecords`) and
 * their stage's roles and bans (`StageRecords`). The same statements on PGlite and PostgreSQL.
 *
 * A rule that counts rows (a host's scheduled Spaces) is checked under a row lock on what it
 * counts for (the host's account), so two requests racing each other cannot both pass it.
 * Transactions stay short and use only their `trx` (on PGlite, `db` inside one hangs for good).
 */
import { randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import { assertCancellable, assertEditable, assertMayScheduleMore, type Schedule, type ScheduleEdit } from '../domain/schedule.ts';
import type { CloseReason, SpaceId } from '../domain/space.ts';
import { NotFoundError, PermissionError, InvalidStateError } from '../errors.ts';
import type { PublicSpace, ScheduleRecords } from '../spaces/schedule-records.ts';
import type { SpaceRecords, StageRecords, StoredRole, StoredSpace } from '../spaces/space-records.ts';
import type { Db } from './database.ts';
import type { SpaceRow, Tables } from './schema.ts';

const SPACE_COLUMNS = ['id', 'host_account_id', 'title', 'status', 'scheduled_for', 'time_zone', 'started_at', 'ended_at', 'end_reason', 'premiere', 'created_at'] as const;
type SpaceColumns = Pick<SpaceRow, (typeof SPACE_COLUMNS)[number]>;

/** How long a cancelled Space with tickets stays in its host's list (its refunds and sales to follow). */
export const CANCELLED_TICKETED_KEPT_MS = 7 * 24 * 3600_000;

/** 9 random bytes, base64url: 12 characters, the same shape as the ids of Spaces started at once. */
export const newSpaceId = () => randomBytes(9).toString('base64url') as SpaceId;

export function toStoredSpace(row: SpaceColumns): StoredSpace {
  return {
    id: row.id as SpaceId,
    hostAccountId: row.host_account_id,
    title: row.title,
    status: row.status,
    scheduledFor: row.scheduled_for,
    timeZone: row.time_zone,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    endReason: row.end_reason as CloseReason | null,
    premiere: row.premiere,
    createdAt: row.created_at,
  };
}

/** The Space, locked until the transaction ends, when it is this host's; else NOT_FOUND or PERMISSION_DENIED. */
export async function lockHostedSpace(trx: Transaction<Tables>, id: SpaceId, hostAccountId: string, action: string): Promise<SpaceColumns> {
  const row = await trx.selectFrom('spaces').select(SPACE_COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw new NotFoundError('There is no Space with that id.');
  if (row.host_account_id !== hostAccountId) throw new PermissionError(`Only the host can ${action} this Space.`);
  return row;
}

export class KyselySpaceRecords implements SpaceRecords, ScheduleRecords {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async createLive(input: { hostAccountId: string; title: string }): Promise<StoredSpace> {
    const row = await this.#db
      .insertInto('spaces')
      .values({ id: newSpaceId(), host_account_id: input.hostAccountId, title: input.title, status: 'live', started_at: new Date() })
      .returning(SPACE_COLUMNS)
      .executeTakeFirstOrThrow();
    return toStoredSpace(row);
  }

  async goLive(id: SpaceId, hostAccountId: string): Promise<StoredSpace> {
    const now = new Date();
    const row = await this.#db
      .updateTable('spaces')
      .set({ status: 'live', started_at: now, updated_at: now })
      .where('id', '=', id)
      .where('host_account_id', '=', hostAccountId)
      .where('status', '=', 'scheduled')
      .returning(SPACE_COLUMNS)
      .executeTakeFirst();
    if (row) return toStoredSpace(row);
    const space = await this.get(id);
    if (!space || space.hostAccountId !== hostAccountId) throw new NotFoundError('There is no such Space of yours.');
    throw new InvalidStateError(`This Space is ${space.status}, not scheduled.`);
  }

  async markEnded(id: SpaceId, reason: CloseReason, at: Date): Promise<void> {
    await this.#db.updateTable('spaces').set({ status: 'ended', end_reason: reason, ended_at: at, updated_at: at }).where('id', '=', id).where('status', '=', 'live').execute();
  }

  async get(id: SpaceId): Promise<StoredSpace | null> {
    const row = await this.#db.selectFrom('spaces').select(SPACE_COLUMNS).where('id', '=', id).executeTakeFirst();
    return row ? toStoredSpace(row) : null;
  }

  async listLive(): Promise<StoredSpace[]> {
    const rows = await this.#db.selectFrom('spaces').select(SPACE_COLUMNS).where('status', '=', 'live').orderBy('started_at').execute();
    return rows.map(toStoredSpace);
  }

  async schedule(hostAccountId: string, schedule: Schedule): Promise<StoredSpace> {
    return this.#db.transaction().execute(async (trx) => {
      // The host's account row serialises this host's scheduling: the count below cannot race.
      const host = await trx.selectFrom('accounts').select('id').where('id', '=', hostAccountId).forUpdate().executeTakeFirst();
      if (!host) throw new NotFoundError('This account no longer exists.');
      const dayAgo = new Date(Date.now() - 24 * 3600 * 1000);
      const counts = await trx
        .selectFrom('spaces')
        .select((eb) => [
          eb.fn
            .count<number>('id')
            .filterWhere('status', '=', 'scheduled')
            .as('scheduled'),
          eb.fn
            .count<number>('id')
            .filterWhere((w) => w.and([w('created_at', '>', dayAgo), w('scheduled_for', 'is not', null)]))
            .as('last_day'),
        ])
        .where('host_account_id', '=', hostAccountId)
        .executeTakeFirstOrThrow();
      assertMayScheduleMore({ scheduled: Number(counts.scheduled), lastDay: Number(counts.last_day) });
      const row = await trx
        .insertInto('spaces')
        .values({
          id: newSpaceId(),
          host_account_id: hostAccountId,
          title: schedule.title,
          status: 'scheduled',
          scheduled_for: schedule.startsAt,
          time_zone: schedule.timeZone,
          premiere: schedule.premiere === true,
        })
        .returning(SPACE_COLUMNS)
        .executeTakeFirstOrThrow();
      return toStoredSpace(row);
    });
  }

  async edit(id: SpaceId, hostAccountId: string, edit: ScheduleEdit, at: Date): Promise<StoredSpace> {
    return this.#db.transaction().execute(async (trx) => {
      const space = await lockHostedSpace(trx, id, hostAccountId, 'edit');
      assertEditable(space.status);
      const row = await trx
        .updateTable('spaces')
        .set({
          ...(edit.title === undefined ? {} : { title: edit.title }),
          ...(edit.startsAt === undefined ? {} : { scheduled_for: edit.startsAt }),
          ...(edit.timeZone === undefined ? {} : { time_zone: edit.timeZone }),
          updated_at: at,
        })
        .where('id', '=', id)
        .returning(SPACE_COLUMNS)
        .executeTakeFirstOrThrow();
      return toStoredSpace(row);
    });
  }

  async cancel(id: SpaceId, hostAccountId: string, at: Date): Promise<StoredSpace> {
    return this.#db.transaction().execute(async (trx) => {
      const space = await lockHostedSpace(trx, id, hostAccountId, 'cancel');
      assertCancellable(space.status);
      const row = await trx
        .updateTable('spaces')
        .set({ status: 'cancelled', ended_at: at, updated_at: at })
        .where('id', '=', id)
        .returning(SPACE_COLUMNS)
        .executeTakeFirstOrThrow();
      // Its invites can no longer be used: say so in the host's list rather than leave them "pending".
      await trx.updateTable('space_invites').set({ revoked_at: at }).where('space_id', '=', id).where('used_at', 'is', null).where('revoked_at', 'is', null).execute();
      return toStoredSpace(row);
    });
  }

  async upcoming(hostAccountId: string): Promise<StoredSpace[]> {
    const cancelledSince = new Date(Date.now() - CANCELLED_TICKETED_KEPT_MS);
    const rows = await this.#db
      .selectFrom('spaces')
      .select(SPACE_COLUMNS)
      .where('host_account_id', '=', hostAccountId)
      .where((eb) =>
        eb.or([
          eb('status', 'in', ['scheduled', 'live']),
          // Cancelled lately with tickets sold: the host follows the refunds and the sales there.
          eb.and([eb('status', '=', 'cancelled'), eb('ended_at', '>', cancelledSince), eb.exists(eb.selectFrom('tickets').select('tickets.id').whereRef('tickets.space_id', '=', 'spaces.id'))]),
        ]),
      )
      .orderBy((eb) => eb.fn.coalesce('scheduled_for', 'started_at'))
      .orderBy('id')
      .limit(200)
      .execute();
    return rows.map(toStoredSpace);
  }

  async publicSpace(id: SpaceId): Promise<PublicSpace | null> {
    const row = await this.#db
      .selectFrom('spaces')
      .innerJoin('accounts', 'accounts.id', 'spaces.host_account_id')
      .select(SPACE_COLUMNS.map((c) => `spaces.${c}` as const))
      .select(['accounts.handle', 'accounts.display_name'])
      .where('spaces.id', '=', id)
      .executeTakeFirst();
    return row ? { ...toStoredSpace(row), host: { handle: row.handle, displayName: row.display_name } } : null;
  }
}

export class KyselyStageRecords implements StageRecords {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async saveRole(spaceId: SpaceId, accountId: string, role: StoredRole | null): Promise<void> {
    if (role === null) {
      await this.#db.deleteFrom('space_roles').where('space_id', '=', spaceId).where('account_id', '=', accountId).execute();
      return;
    }
    await this.#db
      .insertInto('space_roles')
      .values({ space_id: spaceId, account_id: accountId, role })
      .onConflict((oc) => oc.columns(['space_id', 'account_id']).doUpdateSet({ role }))
      .execute();
  }

  async roles(spaceId: SpaceId): Promise<Array<{ accountId: string; role: StoredRole }>> {
    const rows = await this.#db.selectFrom('space_roles').select(['account_id', 'role']).where('space_id', '=', spaceId).orderBy('created_at').orderBy('account_id').execute();
    return rows.map((row) => ({ accountId: row.account_id, role: row.role }));
  }

  async ban(spaceId: SpaceId, accountId: string): Promise<void> {
    await this.#db.insertInto('space_bans').values({ space_id: spaceId, account_id: accountId }).onConflict((oc) => oc.doNothing()).execute();
  }

  async isBanned(spaceId: SpaceId, accountId: string): Promise<boolean> {
    const row = await this.#db.selectFrom('space_bans').select('account_id').where('space_id', '=', spaceId).where('account_id', '=', accountId).executeTakeFirst();
    return row !== undefined;
  }
}
