/**
 * The delivery ledger (`reminder_deliveries`): a send is claimed before it goes out and recorded
 * after, under a key unique per account, Space, channel, kind and occurrence.
 *
 *   claim   (just before its send) insert "sending" (lease until now + lease), or take over a row whose lease ran out
 *           ("sending" left by a sender that died, or "failed" due for a retry); anything else
 *           ("sent", "skipped", a live lease, a failure out of attempts) is not claimed.
 *   sent    "sending" → "sent"        failed  → "failed", retried after a back-off, 5 attempts
 *
 * What holds across a crash: a key is never sent by two live senders at once, never sent again once
 * recorded "sent", and never lost (an unrecorded claim is retried when its lease runs out). The one
 * window left is a sender that dies after the SMTP server or push service accepted the message and
 * before "sent" was written: that message goes out again after the lease, with the same Message-ID
 * (e-mail) or Topic (push) as the first, so receivers that de-duplicate on those show it once.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { HolderRange } from './reminder-holders.ts';

export const MAX_ATTEMPTS = 5;
const CLAIM_BATCH = 500;

export type LedgerItem = { key: string; accountId: string; spaceId: string; channel: 'email' | 'push' | 'calendar' };
export type LedgerState = { status: 'sending' | 'sent' | 'failed' | 'skipped'; leaseUntil: Date; attempts: number };

export class DeliveryLedger {
  readonly #db: Db;
  readonly #leaseMs: number;

  constructor(db: Db, leaseMs: number) {
    this.#db = db;
    this.#leaseMs = leaseMs;
  }

  /** What the ledger holds for a Space, by key (to skip what is done without claiming it). */
  async states(spaceId: string, holders?: HolderRange): Promise<Map<string, LedgerState>> {
    let query = this.#db.selectFrom('reminder_deliveries').select(['idempotency_key', 'status', 'lease_until', 'attempts']).where('space_id', '=', spaceId);
    if (holders) query = query.where('account_id', '>=', holders.first).where('account_id', '<=', holders.last);
    const rows = await query.execute();
    return new Map(rows.map((row) => [row.idempotency_key, { status: row.status, leaseUntil: row.lease_until, attempts: Number(row.attempts) }]));
  }

  /** Whether `state` may be claimed at `now` (no row, an expired lease, a failure due for retry). */
  static claimable(state: LedgerState | undefined, now: Date): boolean {
    if (!state) return true;
    if (state.status === 'sent' || state.status === 'skipped') return false;
    return state.leaseUntil.getTime() <= now.getTime() && state.attempts < MAX_ATTEMPTS;
  }

  /** Claims what it can of `items` (batches of 500); returns the keys this caller now owns. */
  async claim(items: LedgerItem[], now: Date): Promise<Set<string>> {
    const owned = new Set<string>();
    const leaseUntil = new Date(now.getTime() + this.#leaseMs);
    for (let i = 0; i < items.length; i += CLAIM_BATCH) {
      const batch = items.slice(i, i + CLAIM_BATCH);
      const rows = await this.#db
        .insertInto('reminder_deliveries')
        .values(batch.map((item) => ({ idempotency_key: item.key, account_id: item.accountId, space_id: item.spaceId, channel: item.channel, status: 'sending' as const, lease_until: leaseUntil })))
        .onConflict((oc) =>
          oc
            .column('idempotency_key')
            .doUpdateSet({ status: 'sending', attempts: sql<number>`reminder_deliveries.attempts + 1`, lease_until: leaseUntil, detail: null })
            .where((eb) => eb.and([eb('reminder_deliveries.status', 'in', ['sending', 'failed']), eb('reminder_deliveries.lease_until', '<=', now), eb('reminder_deliveries.attempts', '<', MAX_ATTEMPTS)])),
        )
        .returning('idempotency_key')
        .execute();
      for (const row of rows) owned.add(row.idempotency_key);
    }
    return owned;
  }

  async sent(key: string, at: Date): Promise<void> {
    await this.#db.updateTable('reminder_deliveries').set({ status: 'sent', sent_at: at, lease_until: at }).where('idempotency_key', '=', key).where('status', '=', 'sending').execute();
  }

  async skipped(key: string, at: Date, detail: string): Promise<void> {
    await this.#db.updateTable('reminder_deliveries').set({ status: 'skipped', lease_until: at, detail }).where('idempotency_key', '=', key).where('status', '=', 'sending').execute();
  }

  /** A failed attempt: retried after 2^attempts × 5 s (at most 10 minutes). */
  async failed(key: string, at: Date, error: unknown): Promise<void> {
    const row = await this.#db.selectFrom('reminder_deliveries').select('attempts').where('idempotency_key', '=', key).executeTakeFirst();
    const backoff = Math.min(600_000, 5_000 * 2 ** Number(row?.attempts ?? 1));
    const detail = (error instanceof Error ? error.message : String(error)).slice(0, 500);
    await this.#db.updateTable('reminder_deliveries').set({ status: 'failed', lease_until: new Date(at.getTime() + backoff), detail }).where('idempotency_key', '=', key).where('status', '=', 'sending').execute();
  }
}
