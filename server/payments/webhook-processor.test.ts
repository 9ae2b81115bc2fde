/**
 * Stripe events applied exactly once, in any order, on both backends with the real job queue:
 * duplicates (one after another and all at once), an expiry after the payment, a refund or a
 * dispute before it, async payments, a payment for a cancelled Space (refunded at once), an
 * unknown checkout (deferred, then applied by its retry), and account updates out of order.
 */
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKENDS, useTestDatabases, type TestBackend } from '../../test/support/test-databases.ts';
import { Database } from '../db/database.ts';
import { newSpaceId } from '../db/space-store.ts';
import { KyselyTicketRecords } from '../db/ticket-store.ts';
import { DEFAULT_REFUND_POLICY } from '../domain/refund-policy.ts';
import { JobQueue } from '../jobs/job-queue.ts';
import { readPaymentEvent } from './webhook-events.ts';
import { RefundRunner, type RefundGateway } from './refund-runner.ts';
import { WebhookProcessor } from './webhook-processor.ts';

const logger = pino({ level: 'silent' });
const databases = useTestDatabases();
const running: Array<{ jobs: JobQueue; database: Database }> = [];
afterAll(async () => {
  for (const { jobs, database } of running.splice(0).reverse()) {
    await jobs.stop(1_000);
    await database.close();
  }
});

/** Resolves once `predicate` holds (polling); fails the test after `ms`. */
async function until(predicate: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const inMinutes = (m: number) => new Date(Date.now() + m * 60_000);
let eventSeq = 0;

function stripeEvent(type: string, object: Record<string, unknown>, id = `evt_${++eventSeq}_${Math.random().toString(36).slice(2)}`, created = Math.floor(Date.now() / 1000)) {
  const raw = { id, object: 'event', type, created, livemode: false, data: { object } };
  return { event: readPaymentEvent(raw), envelope: { account: null, payload: JSON.stringify(raw) } };
}
const session = (id: string, paymentStatus = 'paid', pi = `pi_${id.slice(3)}`) => ({ id, object: 'checkout.session', payment_status: paymentStatus, payment_intent: pi, amount_total: 500, currency: 'usd' });
const charge = (pi: string) => ({ id: `ch_${pi.slice(3)}`, object: 'charge', payment_intent: pi, refunded: true, amount_refunded: 500 });

type Shared = { database: Database; jobs: JobQueue; processor: WebhookProcessor; runner: RefundRunner; refundsAsked: string[]; revoked: Array<{ spaceId: string; accountId: string }> };
const shared = new Map<TestBackend, Promise<Shared>>();
let nextUser = 0;
let nextTag = 0;
/** Stripe ids unique in the shared database: cs_t1a, pi_t1a… */
const tag = () => `t${++nextTag}`;

/** One database, queue, processor and refund worker per backend (starting them is the slow part); each test has its own Space. */
function backendOf(backend: TestBackend): Promise<Shared> {
  let found = shared.get(backend);
  if (!found) {
    found = (async () => {
      const database = await Database.open(await databases.fresh(backend), logger);
      const jobs = await JobQueue.start(database, logger, { pollSeconds: 0.5 });
      running.push({ jobs, database });
      const revoked: Shared['revoked'] = [];
      const processor = new WebhookProcessor({ db: database.db, jobs, policy: DEFAULT_REFUND_POLICY, logger, onAccessRevoked: (t) => revoked.push(t) });
      // The refund worker, with Stripe answering at once (test/integration covers the SDK against the stub).
      const refundsAsked: string[] = [];
      const gateway: RefundGateway = {
        // Like Stripe: the same idempotency key answers the same refund.
        refund: async (_input, key) => {
          refundsAsked.push(key);
          return { refundId: `re_${key}` };
        },
      };
      const runner = new RefundRunner({ db: database.db, jobs, gateway, policy: DEFAULT_REFUND_POLICY, defaultPlannedMinutes: 60, logger });
      await processor.start();
      await runner.start();
      return { database, jobs, processor, runner, refundsAsked, revoked };
    })();
    shared.set(backend, found);
  }
  return found;
}

/** The Space's refund ledger. */
function refundsOf(database: Database, spaceId: string) {
  return database.db.selectFrom('ticket_refunds').innerJoin('tickets', 'tickets.id', 'ticket_refunds.ticket_id').select(['ticket_refunds.reason', 'ticket_refunds.status']).where('tickets.space_id', '=', spaceId).execute();
}

async function setUp(backend: TestBackend, capacity = 3) {
  const { database, jobs, processor, runner, refundsAsked, revoked } = await backendOf(backend);
  refundsAsked.length = 0;
  revoked.length = 0;
  const [host, ...buyers] = await database.db
    .insertInto('accounts')
    .values(Array.from({ length: 5 }, () => ({ handle: `user_${++nextUser}`, display_name: `User ${nextUser}`, password_hash: 'x' })))
    .returning('id')
    .execute();
  const spaceId = newSpaceId();
  await database.db.insertInto('spaces').values({ id: spaceId, host_account_id: host!.id, title: 'Paid show', status: 'scheduled', scheduled_for: inMinutes(120), time_zone: 'UTC' }).execute();
  const records = new KyselyTicketRecords(database.db);
  await records.putOffer({ spaceId, hostAccountId: host!.id, terms: {}, create: { currency: 'usd', amount: 500, capacity, salesOpenAt: null, salesCloseAt: null }, feeBps: 1000, now: new Date() });
  /** A started checkout (its session id unique in the database): a held seat with Stripe's session id. */
  const checkout = async (buyer: number, sessionId: string) => {
    const { hold } = await records.holdSeat({ spaceId, accountId: buyers[buyer]!.id, expiresAt: inMinutes(30) });
    await records.attachCheckout(hold.id, sessionId, null);
    return hold;
  };
  const counters = async () => {
    const offer = await records.offer(spaceId);
    return { sold: offer!.sold, held: offer!.held };
  };
  const tickets = () => database.db.selectFrom('tickets').select(['status', 'checkout_session_id', 'account_id']).where('space_id', '=', spaceId).orderBy('created_at').execute();
  return { database, jobs, records, processor, runner, refundsAsked, spaceId, buyers: buyers.map((b) => b.id), checkout, counters, tickets, revoked };
}

describe.each(BACKENDS)('webhook processor on %s', (backend) => {
  it('sells the seat once, however many times the event is delivered, one after another or all at once', async () => {
    const t = tag();
    const { processor, checkout, counters, tickets } = await setUp(backend);
    await checkout(0, `cs_${t}a`);
    const paid = stripeEvent('checkout.session.completed', session(`cs_${t}a`));
    expect((await processor.receive(paid.event, paid.envelope)).result).toBe('processed');
    expect((await processor.receive(paid.event, paid.envelope)).result).toBe('duplicate');
    await checkout(1, `cs_${t}b`);
    const other = stripeEvent('checkout.session.completed', session(`cs_${t}b`));
    const results = await Promise.all(Array.from({ length: 10 }, () => processor.receive(other.event, other.envelope)));
    expect(results.filter((r) => r.result === 'processed')).toHaveLength(1);
    expect(results.filter((r) => r.result === 'duplicate')).toHaveLength(9);
    // A different event id for the same payment (Stripe resends as a new event): still one ticket.
    const again = stripeEvent('checkout.session.async_payment_succeeded', session(`cs_${t}b`));
    expect((await processor.receive(again.event, again.envelope)).result).toBe('processed');
    expect(await counters()).toEqual({ sold: 2, held: 0 });
    expect(await tickets()).toHaveLength(2);
  });

  it('never releases a paid seat when the expiry arrives after the payment', async () => {
    const t = tag();
    const { processor, checkout, counters, tickets } = await setUp(backend);
    await checkout(0, `cs_${t}a`);
    for (const e of [stripeEvent('checkout.session.completed', session(`cs_${t}a`)), stripeEvent('checkout.session.expired', session(`cs_${t}a`, 'unpaid'))]) await processor.receive(e.event, e.envelope);
    expect(await counters()).toEqual({ sold: 1, held: 0 });
    expect((await tickets()).map((t) => t.status)).toEqual(['paid']);
  });

  it('a payment after its expiry takes a free seat again; with none left it is refunded', async () => {
    const t = tag();
    const { processor, checkout, counters, tickets, database, refundsAsked, spaceId } = await setUp(backend, 1);
    await checkout(0, `cs_${t}a`);
    const expired = stripeEvent('checkout.session.expired', session(`cs_${t}a`, 'unpaid'));
    await processor.receive(expired.event, expired.envelope);
    expect(await counters()).toEqual({ sold: 0, held: 0 });
    await checkout(1, `cs_${t}b`);
    const paidB = stripeEvent('checkout.session.completed', session(`cs_${t}b`));
    await processor.receive(paidB.event, paidB.envelope);
    // The expired checkout is paid after all (Stripe says so, late): no seat is left → refunded, never oversold.
    const paidA = stripeEvent('checkout.session.completed', session(`cs_${t}a`));
    await processor.receive(paidA.event, paidA.envelope);
    expect(await counters()).toEqual({ sold: 1, held: 0 });
    expect((await tickets()).map((t) => t.checkout_session_id)).toEqual([`cs_${t}b`, `cs_${t}a`]);
    expect(await refundsOf(database, spaceId)).toEqual([{ reason: 'sold-out-late', status: expect.any(String) }]);
    // The durable refund job asks Stripe once, then the ticket ends refunded (its seat was never taken).
    await until(async () => (await tickets()).every((x) => x.checkout_session_id !== `cs_${t}a` || x.status === "refunded"));
    expect(refundsAsked, JSON.stringify(await refundsOf(database, spaceId))).toHaveLength(1);
    expect(await counters()).toEqual({ sold: 1, held: 0 });
  });

  it('a refund delivered before its payment ends refunded with the seat free; a dispute before it ends disputed', async () => {
    const t = tag();
    const { processor, checkout, counters, tickets, revoked } = await setUp(backend);
    await checkout(0, `cs_${t}a`);
    await checkout(1, `cs_${t}b`);
    for (const e of [
      stripeEvent('charge.refunded', charge(`pi_${t}a`)),
      stripeEvent('charge.dispute.created', { id: `dp_${t}b`, charge: `ch_${t}b`, payment_intent: `pi_${t}b` }),
      stripeEvent('checkout.session.completed', session(`cs_${t}a`)),
      stripeEvent('checkout.session.completed', session(`cs_${t}b`)),
    ]) {
      expect((await processor.receive(e.event, e.envelope)).result).toBe('processed');
    }
    expect((await tickets()).map((t) => [t.checkout_session_id, t.status])).toEqual([
      [`cs_${t}a`, 'refunded'],
      [`cs_${t}b`, 'disputed'],
    ]);
    // cs_a's seat is free; cs_b's disputed seat stays counted while the bank decides.
    expect(await counters()).toEqual({ sold: 1, held: 0 });
    expect(revoked).toHaveLength(1);
  });

  it('a dispute or a refund after the payment revokes access; an outside refund gives the seat back', async () => {
    const t = tag();
    const { processor, checkout, counters, tickets, revoked, buyers, spaceId } = await setUp(backend);
    await checkout(0, `cs_${t}a`);
    await checkout(1, `cs_${t}b`);
    for (const e of [
      stripeEvent('checkout.session.completed', session(`cs_${t}a`)),
      stripeEvent('checkout.session.completed', session(`cs_${t}b`)),
      stripeEvent('charge.dispute.created', { id: `dp_${t}a`, charge: { id: `ch_${t}a` }, payment_intent: `pi_${t}a` }),
      stripeEvent('charge.refunded', charge(`pi_${t}b`)),
    ]) {
      await processor.receive(e.event, e.envelope);
    }
    expect((await tickets()).map((t) => t.status)).toEqual(['disputed', 'refunded']);
    expect(revoked).toEqual([
      { spaceId, accountId: buyers[0] },
      { spaceId, accountId: buyers[1] },
    ]);
    expect(await counters()).toEqual({ sold: 1, held: 0 });
  });

  it('holds the seat while an async payment is on its way, then sells or releases it', async () => {
    const t = tag();
    const { processor, checkout, counters, tickets, records } = await setUp(backend);
    const a = await checkout(0, `cs_${t}a`);
    await checkout(1, `cs_${t}b`);
    for (const e of [stripeEvent('checkout.session.completed', session(`cs_${t}a`, 'unpaid')), stripeEvent('checkout.session.completed', session(`cs_${t}b`, 'unpaid'))]) await processor.receive(e.event, e.envelope);
    expect((await records.hold(a.id))!.status).toBe('awaiting_payment');
    expect(await counters()).toEqual({ sold: 0, held: 2 });
    for (const e of [stripeEvent('checkout.session.async_payment_succeeded', session(`cs_${t}a`)), stripeEvent('checkout.session.async_payment_failed', session(`cs_${t}b`, 'unpaid'))]) await processor.receive(e.event, e.envelope);
    expect(await counters()).toEqual({ sold: 1, held: 0 });
    expect((await tickets()).map((t) => t.checkout_session_id)).toEqual([`cs_${t}a`]);
  });

  it('refunds at once a payment that arrives after its Space was cancelled', async () => {
    const t = tag();
    const { processor, checkout, counters, tickets, database, spaceId } = await setUp(backend);
    await checkout(0, `cs_${t}a`);
    await database.db.updateTable('spaces').set({ status: 'cancelled', updated_at: new Date() }).where('id', '=', spaceId).execute();
    const paid = stripeEvent('checkout.session.completed', session(`cs_${t}a`));
    await processor.receive(paid.event, paid.envelope);
    expect(await counters()).toEqual({ sold: 0, held: 0 });
    await until(async () => (await tickets())[0]?.status === 'refunded');
    expect(await refundsOf(database, spaceId)).toEqual([{ reason: 'space-cancelled', status: expect.any(String) }]);
  });

  it('defers a payment for a checkout not recorded yet, and applies it once the checkout is known', async () => {
    const t = tag();
    const { processor, records, counters, buyers, spaceId, database } = await setUp(backend);
    const { hold } = await records.holdSeat({ spaceId, accountId: buyers[0]!, expiresAt: inMinutes(30) });
    const paid = stripeEvent('checkout.session.completed', session(`cs_${t}late`));
    expect((await processor.receive(paid.event, paid.envelope)).result).toBe('deferred');
    await expect(processor.retry(paid.event.eventId)).rejects.toThrow(/still cannot be applied/);
    await records.attachCheckout(hold.id, `cs_${t}late`, null);
    expect((await processor.retry(paid.event.eventId)).result).toBe('processed');
    expect((await processor.receive(paid.event, paid.envelope)).result).toBe('duplicate');
    expect(await counters()).toEqual({ sold: 1, held: 0 });
    const row = await database.db.selectFrom('stripe_events').select(['processed_at', 'attempts']).where('id', '=', paid.event.eventId).executeTakeFirstOrThrow();
    expect(row.processed_at).toBeInstanceOf(Date);
  });

  it('keeps the newest account state when account.updated events arrive out of order', async () => {
    const t = tag();
    const { processor, database, records } = await setUp(backend);
    const [owner] = await database.db.selectFrom('accounts').select('id').limit(1).execute();
    await records.linkStripeAccount(owner!.id, `acct_${t}`);
    const account = (enabled: boolean) => ({ id: `acct_${t}`, object: 'account', charges_enabled: enabled, payouts_enabled: enabled, details_submitted: true, requirements: { currently_due: enabled ? [] : ['external_account'], disabled_reason: null } });
    const now = Math.floor(Date.now() / 1000);
    const newer = stripeEvent('account.updated', account(true), undefined, now);
    const older = stripeEvent('account.updated', account(false), undefined, now - 60);
    await processor.receive(newer.event, newer.envelope);
    await processor.receive(older.event, older.envelope);
    expect(await records.stripeAccount(owner!.id)).toMatchObject({ chargesEnabled: true, requirementsDue: [] });
  });
  it('refunds every ticket by itself when the host has not gone live within the grace, and not before', async () => {
    const t = tag();
    const { processor, runner, checkout, database, spaceId, tickets } = await setUp(backend);
    for (const [i, id] of ['a', 'b'].entries()) {
      await checkout(i, `cs_${t}${id}`);
      const paid = stripeEvent('checkout.session.completed', session(`cs_${t}${id}`));
      await processor.receive(paid.event, paid.envelope);
    }
    // Due in the future: looked at again later, nothing refunded.
    expect(await runner.check(spaceId)).toMatchObject({ action: 'check-later' });
    // The start was 31 minutes ago (grace 30) and the host never went live.
    await database.db.updateTable('spaces').set({ scheduled_for: inMinutes(-31), updated_at: new Date() }).where('id', '=', spaceId).execute();
    expect(await runner.check(spaceId)).toEqual({ action: 'refund-all', reason: 'host-no-show' });
    await until(async () => (await tickets()).every((x) => x.status === 'refunded'));
    expect(await refundsOf(database, spaceId)).toEqual([
      { reason: 'host-no-show', status: 'succeeded' },
      { reason: 'host-no-show', status: 'succeeded' },
    ]);
    // Looked at again (a job run twice): nothing more is asked of Stripe.
    await runner.check(spaceId);
    expect(await refundsOf(database, spaceId)).toHaveLength(2);
  });

  it('refunds a Space that failed before half its planned length; keeps one the host ended or that lasted', async () => {
    const t = tag();
    const cases = [
      { endReason: 'media-failure', lastedMinutes: 10, refunded: true },
      { endReason: 'host-left', lastedMinutes: 40, refunded: false },
      { endReason: 'host-ended', lastedMinutes: 5, refunded: false },
    ];
    for (const [n, c] of cases.entries()) {
      const { processor, runner, checkout, database, spaceId, tickets } = await setUp(backend);
      await checkout(0, `cs_${t}x${n}`);
      const paid = stripeEvent('checkout.session.completed', session(`cs_${t}x${n}`));
      await processor.receive(paid.event, paid.envelope);
      const startedAt = inMinutes(-60);
      await database.db
        .updateTable('spaces')
        .set({ status: 'ended', scheduled_for: startedAt, started_at: startedAt, ended_at: new Date(startedAt.getTime() + c.lastedMinutes * 60_000), end_reason: c.endReason, updated_at: new Date() })
        .where('id', '=', spaceId)
        .execute();
      const verdict = await runner.check(spaceId);
      expect(verdict, c.endReason).toEqual(c.refunded ? { action: 'refund-all', reason: 'space-failed' } : { action: 'keep' });
      if (c.refunded) {
        await until(async () => (await tickets())[0]?.status === 'refunded', 15_000).catch(async (error: unknown) => {
          throw new Error(`${String(error)}: ${JSON.stringify({ tickets: await tickets(), ledger: await refundsOf(database, spaceId) })}`);
        });
      }
      else expect((await tickets())[0]?.status).toBe('paid');
    }
  });
});
