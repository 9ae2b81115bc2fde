/**
 * End to end in Chromium (issue #9): a host live in the browser-mode studio connects payouts (the studio
 * shows what Stripe still needs until onboarding ends at the local Stripe stub) and prices the Space in
 * its Tickets form (bad prices refused with the rule); a listener without a ticket is refused the audio; a listener
 * buys on the Space's page ("Buy ticket" → the stub's hosted Checkout → back on the page with the
 * ticket) and then hears the host's tone. Uses the built listener page and studio (out/).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startBrowserStudio } from '../../electron/browser-mode/browser-studio.ts';
import { DEMO_CREATOR, DEMO_PASSWORD } from '../../server/db/seed.ts';
import { cleanupsAfterEach, fixtureDir } from '../support/e2e-lifecycle.ts';
import { launchChromium } from '../support/chromium.ts';
import { freePort } from '../support/free-port.ts';
import { signIn } from '../support/server-fixture.ts';
import { goLive, signInOnListenerPage, signInToStudio } from '../support/studio-fixture.ts';
import { startTicketWorld } from '../support/ticketing.ts';
import { watchTone } from '../support/tone-watch.ts';
import { writeSine } from '../support/tones.ts';

const HOST_HZ = 440;
const cleanups = cleanupsAfterEach();
let mic: string;
fixtureDir('spacecraft-tickets-', (dir) => {
  mic = join(dir, 'host.wav');
  writeSine(mic, HOST_HZ, 120, 0.3);
});

async function json(url: string, init: { method: string; token: string; body?: unknown }): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: init.method,
    headers: { authorization: `Bearer ${init.token}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const body = (await response.json()) as Record<string, unknown>;
  expect(response.ok, JSON.stringify(body)).toBe(true);
  return body;
}

const ticketLine = (page: Page) => page.locator('.ticket .ticket-state');

describe('a ticketed Space in the browser', { timeout: 180_000 }, () => {
  it('is priced, bought through Stripe Checkout (the stub) and attended only with a ticket', async () => {
    // The studio's bundled server never takes secrets in its environment: the studio uses a server of the test's
    // own (with Stripe keys for the stub), on a bridge port known in advance so that server lets the studio's page in.
    const bridgePort = await freePort();
    const world = await startTicketWorld({ kind: 'pglite', dataDir: null }, { env: { SPACECRAFT_DEMO_DATA: 'true', SPACECRAFT_ALLOWED_ORIGINS: `http://127.0.0.1:${bridgePort}` } });
    cleanups.push(() => world.close());
    const stub = world.stub;
    const studio = await startBrowserStudio(
      { remote: { url: world.server.url }, serverPort: 0, bridgePort, dataDir: mkdtempSync(join(tmpdir(), 'spacecraft-tickets-studio-')), logLevel: 'warn' },
      { logger: pino({ level: 'warn' }), inMemorySettings: true },
    );
    cleanups.push(() => studio.close());
    const browser = await launchChromium({ fakeAudioFile: mic });
    cleanups.push(() => browser.close());

    const host = await browser.newPage();
    await host.goto(studio.url);
    await signInToStudio(host);
    const link = await goLive(host, 'Ticketed live show');
    const serverUrl = new URL(link).origin;
    const spaceId = new URL(link).pathname.split('/').at(-1)!;

    // In the studio the host connects payouts (onboarding finished at the stub) and prices the live Space.
    const payouts = host.getByRole('region', { name: 'Tickets · payouts' });
    await payouts.getByRole('button', { name: 'Connect payouts' }).click({ timeout: 15_000 });
    await payouts.getByRole('link', { name: 'Open Stripe to set up payouts' }).waitFor({ timeout: 15_000 });
    await expect.poll(() => payouts.getByRole('status').getAttribute('data-payouts'), { timeout: 15_000 }).toBe('incomplete');
    expect(await payouts.getByRole('list', { name: 'What Stripe still needs' }).textContent()).toContain('a bank account for payouts');
    stub.finishOnboarding([...stub.state.accounts.keys()][0]!);
    await payouts.getByRole('button', { name: 'Check again' }).click();
    await expect.poll(() => payouts.getByRole('status').getAttribute('data-payouts'), { timeout: 15_000 }).toBe('ready');

    await host.getByRole('button', { name: 'Tickets', exact: true }).first().click();
    const pricing = host.getByRole('group', { name: 'Ticket sales' });
    await pricing.getByLabel('Price').fill('4.999');
    await pricing.getByRole('button', { name: 'Sell tickets' }).click();
    await pricing.getByRole('alert').filter({ hasText: 'like 4.99' }).waitFor({ timeout: 10_000 });
    await pricing.getByLabel('Price').fill('0.10');
    await pricing.getByRole('button', { name: 'Sell tickets' }).click();
    await pricing.getByRole('alert').filter({ hasText: '0.50 USD' }).waitFor({ timeout: 10_000 });
    await pricing.getByLabel('Price').fill('5.00');
    await pricing.getByLabel('Tickets', { exact: true }).fill('10');
    await pricing.getByRole('button', { name: 'Sell tickets' }).click();
    await expect.poll(() => pricing.getByRole('status').textContent(), { timeout: 15_000 }).toContain('5.00 USD · 0 sold');
    const hostToken = await signIn(serverUrl, DEMO_CREATOR.handle, DEMO_PASSWORD);

    // No ticket: the page offers one, and listening is refused.
    const stranger = await (await browser.newContext()).newPage();
    await stranger.goto(link);
    await expect.poll(() => ticketLine(stranger).textContent(), { timeout: 15_000 }).toContain('10 of 10 tickets left');
    await stranger.getByRole('button', { name: /Listen live/ }).click();
    await stranger.getByRole('alert').filter({ hasText: 'ticketed Space' }).waitFor({ timeout: 15_000 });
    expect(await stranger.locator('audio').count()).toBe(0);

    // A buyer signs in, buys, pays at the (stub's) Checkout page, comes back with the ticket, and hears the host.
    const buyer = await (await browser.newContext()).newPage();
    await buyer.goto(link);
    await buyer.getByRole('button', { name: 'Sign in to buy a ticket' }).click({ timeout: 15_000 });
    await signInOnListenerPage(buyer, 'demo_ada');
    await buyer.getByRole('button', { name: 'Buy ticket · 5.00 USD' }).click({ timeout: 15_000 });
    await buyer.waitForURL(new RegExp(`^${stub.url}/pay/cs_test_`), { timeout: 15_000 });
    await buyer.getByRole('button', { name: 'Pay 5.00 USD' }).click();
    await buyer.waitForURL(new RegExp(`^${serverUrl}/s/${spaceId}`), { timeout: 15_000 });
    await expect.poll(() => ticketLine(buyer).textContent(), { timeout: 15_000 }).toContain('You have a ticket');
    expect(new URL(buyer.url()).searchParams.has('checkout')).toBe(false);

    const created = stub.requests.find((r) => r.path === '/v1/checkout/sessions' && r.method === 'POST')!;
    expect(created.params).toMatchObject({ payment_intent_data: { application_fee_amount: '50', transfer_data: { destination: [...stub.state.accounts.keys()][0] } } });

    await buyer.getByRole('button', { name: /Listen live/ }).click();
    const heard = await buyer.evaluate(watchTone, { hz: HOST_HZ, thresholdDb: -70, timeoutMs: 20_000 });
    expect(heard.heard).toBe(true);
    const offer = await json(`${serverUrl}/api/spaces/${spaceId}/tickets`, { method: 'GET', token: hostToken });
    expect(offer).toMatchObject({ sold: 1, held: 0, left: 9 });
  });
});
