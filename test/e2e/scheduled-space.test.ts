/**
 * End to end in Chromium: a scheduled Space's page shows its start in the visitor's own time zone
 * (Chromium's `timezoneId`: the same Space reads differently in Tokyo and in Los Angeles), counts
 * down, and turns live by itself when its host starts it over the signalling socket; a cancelled
 * Space's page says so. Uses the built listener page (out/listener), like every e2e test.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLine } from '../../renderer/listener/scheduled-space.tsx';
import { spaceJsonSchema, type SpaceJson } from '../../server/http/space-api.ts';
import { launchChromium } from '../support/chromium.ts';
import { startTestServer, type TestServer } from '../support/server-fixture.ts';
import { connectClient } from '../support/signalling.ts';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function schedule(title: string, startsAt: Date, timeZone: string): Promise<SpaceJson> {
  const response = await fetch(`${server.url}/api/spaces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${server.hostToken}` },
    body: JSON.stringify({ title, startsAt: startsAt.toISOString(), timeZone }),
  });
  expect(response.status).toBe(201);
  return spaceJsonSchema.parse(await response.json());
}

async function visit(link: string, timezoneId: string): Promise<Page> {
  const page = await (await browser.newContext({ timezoneId, locale: 'en-US' })).newPage();
  await page.goto(link);
  return page;
}

describe('a scheduled Space’s page in Chromium', () => {
  it('shows the start in the visitor’s own zone, counts down, and turns live when the host starts', async () => {
    // Close enough that the page asks every ~5 s, far enough that the test never races the clock.
    const startsAt = new Date(Math.ceil((Date.now() + 4 * 60_000) / 60_000) * 60_000);
    const space = await schedule('Launch party', startsAt, 'Europe/Paris');
    const tokyo = await visit(space.link, 'Asia/Tokyo');
    const losAngeles = await visit(space.link, 'America/Los_Angeles');

    for (const [page, zone] of [
      [tokyo, 'Asia/Tokyo'],
      [losAngeles, 'America/Los_Angeles'],
    ] as const) {
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 10_000 }).toBe('Launch party');
      const expected = startLine(startsAt, { locale: 'en-US', timeZone: zone }).when;
      expect(await page.locator('time').textContent()).toBe(expected);
      expect(await page.locator('time').getAttribute('datetime')).toBe(startsAt.toISOString());
      expect(await page.locator('.zone').textContent()).toContain(`your time (${zone})`);
      expect(await page.getByText('Hosted by').textContent()).toContain('@demo_creator');
      expect(await page.getByRole('timer').textContent()).toMatch(/^Starts in [345]:\d\d$/);
    }
    // The same instant, written for two places: the hours differ.
    expect(await tokyo.locator('time').textContent()).not.toBe(await losAngeles.locator('time').textContent());
    // The countdown moves.
    const before = await tokyo.getByRole('timer').textContent();
    await expect.poll(() => tokyo.getByRole('timer').textContent(), { timeout: 5000 }).not.toBe(before);

    // The host starts the scheduled Space over the signalling socket: both pages turn live by themselves.
    const host = await connectClient(server.url, { origin: server.url });
    try {
      await host.request('signIn', { sessionToken: server.hostToken });
      const started = await host.request('createSpace', { title: 'Launch party', scheduledSpaceId: space.id });
      expect(started.space.spaceId).toBe(space.id);
      for (const page of [tokyo, losAngeles]) {
        await expect.poll(() => page.getByRole('button', { name: /Listen live/ }).count(), { timeout: 30_000 }).toBe(1);
        expect(await page.locator('.live-now').textContent()).toContain('Live now');
      }
      // And a listener can join it from there (the host publishes nothing here: the server counts them in).
      await tokyo.getByRole('button', { name: /Listen live/ }).click();
      await expect.poll(() => tokyo.getByText('1 listener', { exact: true }).count(), { timeout: 15_000 }).toBe(1);
    } finally {
      host.close();
    }
  }, 90_000);

  it('says a cancelled Space was cancelled', async () => {
    const space = await schedule('Called off', new Date(Date.now() + 3600_000), 'UTC');
    const response = await fetch(`${server.url}/api/spaces/${space.id}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${server.hostToken}` } });
    expect(response.status).toBe(200);
    const page = await visit(space.link, 'Europe/Berlin');
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 10_000 }).toBe('The host cancelled this Space.');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Called off');
    expect(await page.getByRole('button', { name: /Listen live/ }).count()).toBe(0);
  });
});
