/**
 * Offers, seat holds and tickets in the database, on both backends: the seat race (1,000 buyers,
 * 100 seats → exactly 100 holds, then exactly 100 paid tickets), holds that come back, checkouts
 * completed twice, a late payment for a released hold, and the offer's edit rules under a lock.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKENDS, useTestDatabases, type TestBackend } from '../../test/support/test-databases.ts';
import { codeOf } from '../../test/support/error-codes.ts';
import { SpacecraftError } from '../errors.ts';
import { Database } from './database.ts';
import { newSpaceId } from './space-store.ts';
import { KyselyTicketRecords } from './ticket-store.ts';

const logger = pino({ level: 'silent' });
const databases = useTestDatabases();
const open: Database[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((d) => d.close()));
});

const terms = { currency: 'usd', amount: 500, capacity: 100, salesOpenAt: null, salesCloseAt: null };
const inMinutes = (m: number) => new Date(Date.now() + m * 60_000);

async function setUp(backend: TestBackend, buyers = 3) {
  const database = await Database.open(await databases.fresh(backend), logger);
  open.push(database);
  const [host, ...rest] = await database.db
    .insertInto('accounts')
    .values(Array.from({ length: buyers + 1 }, (_, i) => ({ handle: `user_${i}`, display_name: `User ${i}`, password_hash: 'x' })))
    .returning('id')
    .execute();
  const spaceId = newSpaceId();
  await database.db.insertInto('spaces').values({ id: spaceId, host_account_id: host!.id, title: 'Paid show', status: 'scheduled', scheduled_for: inMinutes(120), time_zone: 'UTC' }).execute();
  const records = new KyselyTicketRecords(database.db);
  return { database, records, spaceId, host: host!.id, buyers: rest.map((r) => r.id) };
}

describe.each(BACKENDS)('ticket records on %s', (backend) => {
  it('1,000 concurrent buyers for 100 seats: exactly 100 holds, then exactly 100 paid tickets, the rest SOLD_OUT', async () => {
    const { records, spaceId, host, buyers, database } = await setUp(backend, 1000);
    await records.putOffer({ spaceId, hostAccountId: host, terms: {}, create: terms, feeBps: 1000, now: new Date() });
    const results = await Promise.allSettled(buyers.map((accountId) => records.holdSeat({ spaceId, accountId, expiresAt: inMinutes(30) })));
    const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.hold] : []));
    const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(won).toHaveLength(100);
    expect(new Set(won.map((h) => h.accountId)).size).toBe(100);
    expect(lost).toHaveLength(900);
    expect(lost.every((e) => e instanceof SpacecraftError && e.code === 'SOLD_OUT' && /sold out/i.test(e.message))).toBe(true);
    expect(await records.offer(spaceId)).toMatchObject({ sold: 0, held: 100 });

    await Promise.all(won.map((hold, i) => records.attachCheckout(hold.id, `cs_test_${i}`, `https://pay.example/${i}`)));
    // Every checkout completes, twice over and at once: still exactly 100 tickets.
    const done = await Promise.all([...won, ...won].map((_, i) => records.completeCheckout({ sessionId: `cs_test_${i % 100}`, paymentIntentId: `pi_${i % 100}` })));
    expect(done.filter((d) => d.kind === 'ticket' && d.created)).toHaveLength(100);
    expect(await records.offer(spaceId)).toMatchObject({ sold: 100, held: 0 });
    const tickets = await database.db.selectFrom('tickets').select(['account_id', 'platform_fee', 'amount']).execute();
    expect(tickets).toHaveLength(100);
    expect(tickets.every((t) => t.amount === 500 && t.platform_fee === 50)).toBe(true);
    expect(await codeOf(records.holdSeat({ spaceId, accountId: buyers[999]!, expiresAt: inMinutes(30) }))).toBe('SOLD_OUT');
  });

  it('gives an account its open hold again instead of a second seat, and a released seat back to the next buyer', async () => {
    const { records, spaceId, host, buyers } = await setUp(backend, 3);
    await records.putOffer({ spaceId, hostAccountId: host, terms: {}, create: { ...terms, capacity: 1 }, feeBps: 1000, now: new Date() });
    const [a, b] = buyers as [string, string];
    const twice = await Promise.all([records.holdSeat({ spaceId, accountId: a, expiresAt: inMinutes(30) }), records.holdSeat({ spaceId, accountId: a, expiresAt: inMinutes(30) })]);
    expect(twice[0].hold.id).toBe(twice[1].hold.id);
    expect(twice.filter((t) => t.created)).toHaveLength(1);
    expect(await records.offer(spaceId)).toMatchObject({ held: 1, sold: 0 });
    expect(await codeOf(records.holdSeat({ spaceId, accountId: b, expiresAt: inMinutes(30) }))).toBe('SOLD_OUT');

    await records.attachCheckout(twice[0].hold.id, 'cs_test_a', null);
    expect(await records.releaseHoldBySession('cs_test_a', 'expired')).toMatchObject({ status: 'released', releaseReason: 'expired' });
    expect(await records.releaseHoldBySession('cs_test_a', 'expired')).toBeNull(); // idempotent
    expect(await records.releaseHold(twice[0].hold.id, 'expired')).toBeNull();
    expect(await records.offer(spaceId)).toMatchObject({ held: 0, sold: 0 });

    const next = await records.holdSeat({ spaceId, accountId: b, expiresAt: inMinutes(30) });
    expect(next.created).toBe(true);
    await records.attachCheckout(next.hold.id, 'cs_test_b', null);
    // A's payment arrives after A's hold was released, and the only seat is B's: no seat, the caller refunds.
    expect(await records.completeCheckout({ sessionId: 'cs_test_a', paymentIntentId: 'pi_a' })).toMatchObject({ kind: 'no-seat' });
    expect(await records.completeCheckout({ sessionId: 'cs_nope', paymentIntentId: 'pi_x' })).toEqual({ kind: 'unknown-session' });
    const paid = await records.completeCheckout({ sessionId: 'cs_test_b', paymentIntentId: null });
    expect(paid).toMatchObject({ kind: 'ticket', created: true, ticket: { accountId: b, status: 'paid', paymentIntentId: null } });
    // A later call fills in what the first one lacked.
    expect(await records.completeCheckout({ sessionId: 'cs_test_b', paymentIntentId: 'pi_b', chargeId: 'ch_b' })).toMatchObject({ kind: 'ticket', created: false, ticket: { paymentIntentId: 'pi_b', chargeId: 'ch_b' } });
    expect(await records.validTicket(spaceId, b)).toMatchObject({ checkoutSessionId: 'cs_test_b' });
    expect(await records.validTicket(spaceId, a)).toBeNull();
    expect(await records.offer(spaceId)).toMatchObject({ held: 0, sold: 1 });
  });

  it('a released hold whose late payment finds a free seat still becomes a ticket; awaiting payment keeps the seat', async () => {
    const { records, spaceId, host, buyers } = await setUp(backend, 2);
    await records.putOffer({ spaceId, hostAccountId: host, terms: {}, create: { ...terms, capacity: 2 }, feeBps: 0, now: new Date() });
    const a = await records.holdSeat({ spaceId, accountId: buyers[0]!, expiresAt: inMinutes(30) });
    await records.attachCheckout(a.hold.id, 'cs_test_late', null);
    await records.releaseHold(a.hold.id, 'expired');
    expect(await records.completeCheckout({ sessionId: 'cs_test_late', paymentIntentId: 'pi_late' })).toMatchObject({ kind: 'ticket', created: true, ticket: { platformFee: 0 } });
    expect(await records.offer(spaceId)).toMatchObject({ held: 0, sold: 1 });

    const b = await records.holdSeat({ spaceId, accountId: buyers[1]!, expiresAt: inMinutes(-1) });
    await records.attachCheckout(b.hold.id, 'cs_test_slow', null);
    expect(await records.markAwaitingPayment('cs_test_slow')).toMatchObject({ status: 'awaiting_payment' });
    expect(await records.heldHolds(null, 10)).toEqual([]); // awaiting payment has no expiry to settle: its bank's answer decides
    expect(await records.offer(spaceId)).toMatchObject({ held: 1, sold: 1 });
    expect(await records.releaseHoldBySession('cs_test_slow', 'payment-failed')).toMatchObject({ status: 'released' });
    expect(await records.offer(spaceId)).toMatchObject({ held: 0, sold: 1 });
  });

  it('edits an offer by the rules under a lock; withdraws it only before any sale', async () => {
    const { records, spaceId, host, buyers, database } = await setUp(backend, 1);
    expect(await codeOf(records.putOffer({ spaceId, hostAccountId: host, terms: { amount: 900 }, create: null, feeBps: 1000, now: new Date() }))).toBe('NOT_FOUND');
    await records.putOffer({ spaceId, hostAccountId: host, terms: {}, create: terms, feeBps: 1000, now: new Date() });
    expect(await records.putOffer({ spaceId, hostAccountId: host, terms: { amount: 900, currency: 'eur' }, create: null, feeBps: 2000, now: new Date() })).toMatchObject({ amount: 900, currency: 'eur', platformFeeBps: 1000 });
    await records.holdSeat({ spaceId, accountId: buyers[0]!, expiresAt: inMinutes(30) });
    expect(await codeOf(records.putOffer({ spaceId, hostAccountId: host, terms: { amount: 1000 }, create: null, feeBps: 1000, now: new Date() }))).toBe('INVALID_STATE');
    expect(await codeOf(records.putOffer({ spaceId, hostAccountId: host, terms: { capacity: 0 }, create: null, feeBps: 1000, now: new Date() }))).toBe('VALIDATION');
    expect((await records.putOffer({ spaceId, hostAccountId: host, terms: { capacity: 1 }, create: null, feeBps: 1000, now: new Date() })).capacity).toBe(1);
    expect(await codeOf(records.withdrawOffer(spaceId))).toBe('INVALID_STATE');
    // The database itself refuses an oversold offer, whatever a future writer does.
    await expect(database.db.updateTable('ticket_offers').set({ sold: 1 }).where('space_id', '=', spaceId).execute()).rejects.toThrow(/never_oversold/);
  });

  it("keeps a host's Stripe account current, ignoring an older description delivered late", async () => {
    const { records, host } = await setUp(backend, 0);
    expect(await records.stripeAccount(host)).toBeNull();
    const linked = await records.linkStripeAccount(host, 'acct_1ABC');
    expect(linked).toMatchObject({ stripeAccountId: 'acct_1ABC', chargesEnabled: false, requirementsDue: [] });
    expect((await records.linkStripeAccount(host, 'acct_2DEF')).stripeAccountId).toBe('acct_1ABC');
    const state = { stripeAccountId: 'acct_1ABC', chargesEnabled: true, payoutsEnabled: true, detailsSubmitted: true, requirementsDue: [], disabledReason: null, defaultCurrency: 'eur', country: 'FR', describedAt: new Date(2000) };
    expect(await records.applyStripeAccountState(state)).toMatchObject({ chargesEnabled: true, defaultCurrency: 'eur' });
    expect(await records.applyStripeAccountState({ ...state, chargesEnabled: false, requirementsDue: ['external_account'], describedAt: new Date(1000) })).toMatchObject({ chargesEnabled: true, requirementsDue: [] });
    expect(await records.applyStripeAccountState({ ...state, chargesEnabled: false, requirementsDue: ['external_account'], describedAt: new Date(3000) })).toMatchObject({ chargesEnabled: false, requirementsDue: ['external_account'] });
    expect(await records.applyStripeAccountState({ ...state, stripeAccountId: 'acct_unknown' })).toBeNull();
  });
});
