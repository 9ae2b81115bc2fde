/**
 * What a move means for ticket holders, as the host's sales read it (GET /api/spaces/:id/sales), on
 * both databases: the refund window's length (SPACECRAFT_TICKET_RESCHEDULE_REFUND_HOURS) always, and
 * after a move with tickets sold, when the Space moved and when its buyers' window ends; a move of a
 * Space with no ticket sold opens no window. A cancelled Space has no seat left for sale, and stays
 * in its host's list for a week when it had tickets (the studio follows its refunds and sales there).
 * The studio's edit and cancel confirmations read these.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { checkoutJsonSchema } from '../../server/http/ticket-api.ts';
import { salesReportJsonSchema } from '../../server/http/refund-api.ts';
import { spaceListJsonSchema } from '../../server/http/space-api.ts';
import { connectHost, makeAccounts, makeSpace, priceSpace, startTicketWorld, type TicketWorld } from '../support/ticketing.ts';
import { BACKENDS, useTestDatabases } from '../support/test-databases.ts';

const databases = useTestDatabases();
const worlds: TicketWorld[] = [];
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((w) => w.close()));
});

describe.each(BACKENDS)('the move terms beside the sales on %s', (backend) => {
  it('says the window, and after a move with tickets sold when it ends', async () => {
    const w = await startTicketWorld(await databases.fresh(backend), { env: { SPACECRAFT_TICKET_RESCHEDULE_REFUND_HOURS: '36' } });
    worlds.push(w);
    const [host, buyer] = await makeAccounts(w.server, 2);
    const sold = await makeSpace(w.server, host!.id, 'Sold show');
    const unsold = await makeSpace(w.server, host!.id, 'Unsold show');
    await connectHost(w, host!.token);
    for (const spaceId of [sold, unsold]) await priceSpace(w, host!.token, spaceId, { currency: 'usd', amount: 500, capacity: 10 });
    const checkout = await w.call('POST', `/api/spaces/${sold}/checkout`, { token: buyer!.token, body: {} });
    w.stub.payCheckout(checkoutJsonSchema.parse(checkout.body).sessionId);
    const confirmed = await w.call('POST', `/api/spaces/${sold}/checkout/${checkoutJsonSchema.parse(checkout.body).sessionId}/confirm`, { token: buyer!.token });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);

    const sales = async (spaceId: string) => salesReportJsonSchema.parse((await w.call('GET', `/api/spaces/${spaceId}/sales`, { token: host!.token })).body);
    expect(await sales(sold)).toMatchObject({ sold: 1, refundWindowHours: 36, rescheduledAt: null, refundDeadline: null });

    const startsAt = new Date(Date.now() + 5 * 3600_000).toISOString();
    for (const spaceId of [sold, unsold]) {
      const moved = await w.call('PATCH', `/api/spaces/${spaceId}`, { token: host!.token, body: { startsAt } });
      expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    }
    await expect.poll(async () => (await sales(sold)).rescheduledAt, { timeout: 10_000 }).not.toBeNull();
    const after = await sales(sold);
    expect(new Date(after.refundDeadline!).getTime() - new Date(after.rescheduledAt!).getTime()).toBe(36 * 3600_000);
    expect(await sales(unsold)).toMatchObject({ sold: 0, refundWindowHours: 36, rescheduledAt: null, refundDeadline: null });

    // Cancelled, a Space has no seat left for sale (its refunds give money back, not seats).
    expect(await sales(unsold)).toMatchObject({ left: 10 });
    expect((await w.call('POST', `/api/spaces/${unsold}/cancel`, { token: host!.token })).status).toBe(200);
    expect(await sales(unsold)).toMatchObject({ left: 0, sold: 0 });
  });

  it('keeps a cancelled Space with tickets in its host’s list for a week (refunds and sales to follow); one without tickets leaves it', async () => {
    const w = await startTicketWorld(await databases.fresh(backend));
    worlds.push(w);
    const [host, buyer] = await makeAccounts(w.server, 2);
    const sold = await makeSpace(w.server, host!.id, 'Sold show');
    const unsold = await makeSpace(w.server, host!.id, 'Unsold show');
    const kept = await makeSpace(w.server, host!.id, 'Kept show');
    await connectHost(w, host!.token);
    for (const spaceId of [sold, unsold]) await priceSpace(w, host!.token, spaceId, { currency: 'usd', amount: 500, capacity: 10 });
    const checkout = checkoutJsonSchema.parse((await w.call('POST', `/api/spaces/${sold}/checkout`, { token: buyer!.token, body: {} })).body);
    w.stub.payCheckout(checkout.sessionId);
    expect((await w.call('POST', `/api/spaces/${sold}/checkout/${checkout.sessionId}/confirm`, { token: buyer!.token })).status).toBe(200);
    for (const spaceId of [sold, unsold]) expect((await w.call('POST', `/api/spaces/${spaceId}/cancel`, { token: host!.token })).status).toBe(200);

    const mine = async () => spaceListJsonSchema.parse((await w.call('GET', '/api/accounts/me/spaces', { token: host!.token })).body).spaces.map((s) => [s.id, s.status]);
    expect((await mine()).sort()).toEqual([[kept, 'scheduled'], [sold, 'cancelled']].sort());
    // A buyer's list holds nothing of it.
    expect(spaceListJsonSchema.parse((await w.call('GET', '/api/accounts/me/spaces', { token: buyer!.token })).body).spaces).toEqual([]);
    // A week after the cancel it leaves the list.
    await w.server.database.db.updateTable('spaces').set({ ended_at: new Date(Date.now() - 8 * 24 * 3600_000) }).where('id', '=', sold).execute();
    expect(await mine()).toEqual([[kept, 'scheduled']]);
  });
});
