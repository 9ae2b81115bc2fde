/**
 * End to end in Chromium (issue #9 point 7): a scheduled ticketed Space, moved and then cancelled.
 * The host schedules a Space in the browser-mode studio and prices it (sales open before the
 * start); two listeners, each in their own browser context and account, buy on the scheduled
 * Space's page through the Stripe stub's hosted Checkout. The host moves the Space: both pages say
 * the ticket still counts and offer a refund within the window; one buyer asks for it and the stub
 * records one refund (the full amount, `reverse_transfer`, `refund_application_fee`, the ticket's
 * idempotency key). The host cancels (the studio's confirmation says how many tickets it refunds):
 * every remaining ticket is refunded once, no charge twice, both pages say the Space was cancelled
 * and the ticket refunded, and the studio's sales dashboard shows the refunds (and the cancelled Space
 * is still listed with them after the studio's page reloads). Webhooks from the
 * stub (`charge.refunded` for refunds the server made itself) are delivered too and change nothing.
 * Screenshots of each step go to /tmp/spacecraft-ticket-cancel-*.png. Uses the built pages (out/).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { startBrowserStudio } from '../../electron/browser-mode/browser-studio.ts';
import { refundIdempotencyKey } from '../../server/domain/refund-policy.ts';
import { launchChromium } from '../support/chromium.ts';
import { cleanupsAfterEach } from '../support/e2e-lifecycle.ts';
import { freePort } from '../support/free-port.ts';
import { signInOnListenerPage, signInToStudio } from '../support/studio-fixture.ts';
import { startTicketWorld, type TicketWorld } from '../support/ticketing.ts';

const cleanups = cleanupsAfterEach();
const shot = (page: Page, name: string) => page.screenshot({ path: `/tmp/spacecraft-ticket-cancel-${name}.png`, fullPage: true });
const ticketLine = (page: Page) => page.locator('.ticket .ticket-state');

/** `YYYY-MM-DDTHH:MM` of `at` in UTC (the studio page runs in UTC: its schedule form's zone). */
const utcInput = (at: Date) => at.toISOString().slice(0, 16);

/** A listener in a browser context of their own: opens the scheduled Space's page, signs in, pays at the stub's Checkout, comes back holding a ticket. */
async function buyTicket(browser: Browser, world: TicketWorld, link: string, handle: string, phone = false): Promise<Page> {
  const page = await (await browser.newContext({ timezoneId: 'UTC', locale: 'en-GB', ...(phone ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } : {}) })).newPage();
  await page.goto(link);
  await page.locator('.scheduled-space').waitFor({ timeout: 15_000 });
  await page.getByRole('button', { name: 'Sign in to buy a ticket' }).click({ timeout: 15_000 });
  await signInOnListenerPage(page, handle);
  await page.getByRole('button', { name: 'Buy ticket · 5.00 USD' }).click({ timeout: 15_000 });
  await page.waitForURL(new RegExp(`^${world.stub.url}/pay/cs_test_`), { timeout: 15_000 });
  await page.getByRole('button', { name: 'Pay 5.00 USD' }).click();
  await page.waitForURL(new RegExp(`^${link}`), { timeout: 15_000 });
  await expect.poll(() => ticketLine(page).getAttribute('data-ticket'), { timeout: 15_000 }).toBe('paid');
  expect(await ticketLine(page).textContent()).toContain('You have a ticket');
  return page;
}

describe('a scheduled ticketed Space in the browser', { timeout: 180_000 }, () => {
  it('is sold, moved (tickets kept, one refunded on request) and cancelled with every ticket refunded once', async () => {
    const bridgePort = await freePort();
    const world = await startTicketWorld({ kind: 'pglite', dataDir: null }, { env: { SPACECRAFT_DEMO_DATA: 'true', SPACECRAFT_ALLOWED_ORIGINS: `http://127.0.0.1:${bridgePort}` } });
    cleanups.push(() => world.close());
    const { stub, server } = world;
    stub.webhookUrl = `${server.url}/api/stripe/webhooks`;
    const studio = await startBrowserStudio(
      { remote: { url: server.url }, serverPort: 0, bridgePort, dataDir: mkdtempSync(join(tmpdir(), 'spacecraft-ticket-cancel-studio-')), logLevel: 'warn' },
      { logger: pino({ level: 'warn' }), inMemorySettings: true },
    );
    cleanups.push(() => studio.close());
    const browser = await launchChromium();
    cleanups.push(() => browser.close());

    // The host signs in, connects payouts (onboarding finished at the stub), schedules a Space and prices it.
    const host = await (await browser.newContext({ timezoneId: 'UTC', locale: 'en-GB', viewport: { width: 1280, height: 1000 } })).newPage();
    await host.goto(studio.url);
    await signInToStudio(host);
    const payouts = host.getByRole('region', { name: 'Tickets · payouts' });
    await payouts.getByRole('button', { name: 'Connect payouts' }).click({ timeout: 15_000 });
    await payouts.getByRole('link', { name: 'Open Stripe to set up payouts' }).waitFor({ timeout: 15_000 });
    stub.finishOnboarding([...stub.state.accounts.keys()][0]!);
    await payouts.getByRole('button', { name: 'Check again' }).click();
    await expect.poll(() => payouts.getByRole('status').getAttribute('data-payouts'), { timeout: 15_000 }).toBe('ready');

    const upcoming = host.getByRole('region', { name: 'Upcoming Spaces' });
    await upcoming.getByRole('button', { name: 'Schedule a Space' }).click();
    await upcoming.getByLabel('Title').fill('Album listening party');
    await upcoming.getByLabel('Starts').fill(utcInput(new Date(Date.now() + 3 * 3600_000)));
    await upcoming.getByRole('button', { name: 'Schedule', exact: true }).click();
    const item = upcoming.getByRole('listitem', { name: 'Album listening party' });
    const link = (await item.getByRole('link').getAttribute('href', { timeout: 15_000 }))!;
    const spaceId = new URL(link).pathname.split('/').at(-1)!;

    await item.getByRole('button', { name: 'Tickets', exact: true }).click();
    const pricing = item.getByRole('group', { name: 'Ticket sales' });
    await pricing.getByLabel('Price').fill('5.00');
    await pricing.getByLabel('Tickets', { exact: true }).fill('10');
    await pricing.getByRole('button', { name: 'Sell tickets' }).click();
    await expect.poll(() => pricing.getByRole('status').textContent(), { timeout: 15_000 }).toContain('5.00 USD · 0 sold');

    // Two listeners buy on the scheduled Space's page.
    const ada = await buyTicket(browser, world, link, 'demo_ada');
    // Bob buys on a phone-sized screen (the page is phone first).
    const bob = await buyTicket(browser, world, link, 'demo_bob', true);
    await shot(bob, '1-bought');
    const charges = [...stub.state.charges.keys()];
    expect(charges).toHaveLength(2);

    // The host moves the Space: both pages say the ticket still counts and offer the refund until the window ends.
    await item.getByRole('button', { name: 'Edit' }).click();
    const newStart = new Date(Date.now() + 26 * 3600_000);
    await item.getByLabel('Starts').fill(utcInput(newStart));
    await item.getByText(/keep their tickets: .* ask for a refund for 7 days after the move/).waitFor();
    await shot(host, '2-studio-move');
    await item.getByRole('button', { name: 'Save changes' }).click();
    for (const page of [ada, bob]) {
      const moved = page.locator('.ticket-moved[data-refund="may-ask"]');
      await moved.waitFor({ timeout: 30_000 });
      const text = (await moved.textContent())!;
      expect(text).toContain('Your ticket still counts');
      expect(text).toContain(newStart.toLocaleString('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit' }));
      expect(await page.locator('time').getAttribute('datetime')).toBe(new Date(utcInput(newStart) + ':00Z').toISOString());
    }
    await shot(ada, '3-moved');
    await shot(bob, '3-moved-phone');

    // Ada asks for her money back (and confirms): one refund at the stub, on her charge, with the ticket's key.
    await ada.getByRole('button', { name: 'Refund my ticket' }).click();
    await ada.getByRole('group', { name: 'Refund your ticket?' }).waitFor();
    await shot(ada, '4-refund-confirm');
    await ada.getByRole('button', { name: 'Yes, refund 5.00 USD' }).click();
    await expect.poll(() => ticketLine(ada).getAttribute('data-ticket'), { timeout: 20_000 }).toBe('refunded');
    expect(await ticketLine(ada).textContent()).toContain('5.00 USD');
    await shot(ada, '4-refund-done');
    expect(stub.state.refunds.size).toBe(1);
    const adaTicket = await server.database.db
      .selectFrom('tickets')
      .innerJoin('accounts', 'accounts.id', 'tickets.account_id')
      .select(['tickets.id', 'tickets.status', 'tickets.charge_id'])
      .where('tickets.space_id', '=', spaceId)
      .where('accounts.handle', '=', 'demo_ada')
      .executeTakeFirstOrThrow();
    const [first] = [...stub.state.refunds.values()];
    expect(first).toMatchObject({ amount: 500, currency: 'usd', status: 'succeeded', _reverse_transfer: true, _refund_application_fee: true, metadata: { ticket_id: adaTicket.id, reason: 'buyer-asked' } });
    const refundCalls = () => stub.requests.filter((r) => r.method === 'POST' && r.path === '/v1/refunds' && r.status === 200);
    expect(refundCalls().map((r) => r.idempotencyKey)).toEqual([refundIdempotencyKey(adaTicket.id)]);
    expect(refundCalls()[0]!.params).toMatchObject({ reverse_transfer: 'true', refund_application_fee: 'true' });
    // Bob's page still offers him the choice.
    expect(await bob.getByRole('button', { name: 'Refund my ticket' }).count()).toBe(1);

    // The host cancels: the confirmation says how many tickets go back; every remaining one is refunded.
    await item.getByRole('button', { name: 'Cancel…' }).click();
    const confirm = item.getByRole('group', { name: 'Cancel this Space?' });
    await expect.poll(() => confirm.textContent(), { timeout: 15_000 }).toContain('1 ticket sold');
    await shot(host, '5-studio-confirm');
    await confirm.getByRole('button', { name: 'Cancel and refund 1 ticket' }).click();

    for (const page of [ada, bob]) {
      await expect.poll(() => page.locator('.state[data-phase="cancelled"]').count(), { timeout: 30_000 }).toBe(1);
      await expect.poll(() => ticketLine(page).getAttribute('data-ticket'), { timeout: 30_000 }).toBe('refunded');
      expect(await ticketLine(page).textContent()).toContain('Your ticket was refunded in full: 5.00 USD');
    }
    await shot(bob, '6-cancelled');
    await shot(ada, '6-cancelled-ada');

    // Exactly one refund per charge, the full amount each, none twice (webhook redeliveries included).
    await stub.idle();
    const refunds = [...stub.state.refunds.values()];
    expect(refunds).toHaveLength(2);
    expect(refunds.map((r) => r['charge']).sort()).toEqual([...charges].sort());
    for (const refund of refunds) expect(refund).toMatchObject({ amount: 500, _reverse_transfer: true, _refund_application_fee: true });
    expect(new Set(refundCalls().map((r) => r.idempotencyKey)).size).toBe(2);
    for (const id of charges) expect(stub.state.charges.get(id)).toMatchObject({ amount_refunded: 500, refunded: true });
    expect(stub.deliveries.filter((d) => d.type === 'charge.refunded').every((d) => d.status === 200)).toBe(true);
    // Stripe delivers at least once: every refund's event again, twice, changes nothing.
    for (const event of stub.state.events.filter((e) => e.type === 'charge.refunded')) expect(await stub.deliver(event, { times: 2 })).toEqual([200, 200]);
    expect(stub.state.refunds.size).toBe(2);
    const ledger = await server.database.db
      .selectFrom('ticket_refunds')
      .innerJoin('tickets', 'tickets.id', 'ticket_refunds.ticket_id')
      .select(['tickets.status as ticket', 'ticket_refunds.status as refund', 'ticket_refunds.reason', 'ticket_refunds.stripe_refund_id'])
      .where('tickets.space_id', '=', spaceId)
      .orderBy('ticket_refunds.reason')
      .execute();
    expect(ledger.map(({ ticket, refund, reason }) => [ticket, refund, reason])).toEqual([
      ['refunded', 'succeeded', 'buyer-asked'],
      ['refunded', 'succeeded', 'space-cancelled'],
    ]);
    expect(ledger.map((row) => row.stripe_refund_id).sort()).toEqual(refunds.map((r) => r.id).sort());

    // The studio keeps the cancelled Space with its refunds, and its sales dashboard shows them.
    const cancelled = upcoming.getByRole('listitem', { name: 'Album listening party' });
    await expect.poll(() => cancelled.locator('.refund-progress[role="status"]').textContent(), { timeout: 20_000 }).toContain('Cancelled: every ticket refunded');
    await cancelled.getByRole('button', { name: 'Sales', exact: true }).click();
    const sales = cancelled.getByRole('region', { name: 'Sales' });
    await expect.poll(() => sales.getByTestId('sales-refunded').textContent(), { timeout: 15_000 }).toBe('2 · 10.00 USD');
    expect(await sales.getByTestId('sales-sold').textContent()).toBe('0');
    expect(await sales.getByTestId('sales-left').textContent()).toBe('0');
    expect(await sales.getByTestId('sales-gross').textContent()).toBe('0.00 USD');
    await shot(host, '7-studio-cancelled');

    // The studio opened again (a restart, a reload) still shows the cancelled Space and its refunds.
    await host.reload();
    const again = host.getByRole('region', { name: 'Upcoming Spaces' }).getByRole('listitem', { name: 'Album listening party' });
    await expect.poll(() => again.locator('.refund-progress[role="status"]').textContent(), { timeout: 40_000 }).toContain('Cancelled: every ticket refunded (2 tickets, 10.00 USD back to buyers)');
  });
});
