/**
 * The listener page's service worker in Chromium: registered from the listener origin at
 * /reminder-sw.js (scope /), it turns a push (delivered through DevTools,
 * `ServiceWorker.deliverPushMessage`) into a notification with the Space's title, text, tag and
 * link, and never carries a link to another site. Runs on the server's own route for the worker,
 * with the worker's source (renderer/listener/public/reminder-sw.js) as the built page ships it.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.ts';
import { startTestServer, type TestServer } from '../support/server-fixture.ts';

const WORKER_SOURCE = new URL('../../renderer/listener/public/reminder-sw.js', import.meta.url).pathname;

describe('the reminder service worker in Chromium', { timeout: 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let cdp: CDPSession;
  let registrationId = '';
  const dir = mkdtempSync(join(tmpdir(), 'spacecraft-listener-'));

  beforeAll(async () => {
    copyFileSync(WORKER_SOURCE, join(dir, 'reminder-sw.js'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><html><head><meta charset="utf-8"><title>Space</title></head><body>Space</body></html>');
    server = await startTestServer({ SPACECRAFT_LISTENER_DIR: dir, SPACECRAFT_DEMO_DATA: 'false' });
    browser = await launchChromium();
    context = await browser.newContext();
    await context.grantPermissions(['notifications'], { origin: server.url });
    page = await context.newPage();
    cdp = await context.newCDPSession(page);
    const registered = new Promise<string>((resolve) => {
      cdp.on('ServiceWorker.workerRegistrationUpdated', (event: { registrations: Array<{ registrationId: string; scopeURL: string; isDeleted: boolean }> }) => {
        const found = event.registrations.find((r) => r.scopeURL === `${server.url}/` && !r.isDeleted);
        if (found) resolve(found.registrationId);
      });
    });
    await cdp.send('ServiceWorker.enable');
    await page.goto(`${server.url}/s/abcdef`);
    const scope = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.register('/reminder-sw.js', { scope: '/' });
      await navigator.serviceWorker.ready;
      return registration.scope;
    });
    expect(scope).toBe(`${server.url}/`);
    registrationId = await registered;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function deliver(data: unknown): Promise<Array<{ title: string; body: string; tag: string; url: string }>> {
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: server.url, registrationId, data: typeof data === 'string' ? data : JSON.stringify(data) });
    return page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      for (let i = 0; i < 100; i++) {
        const shown = await registration.getNotifications();
        if (shown.length > 0) {
          const list = shown.map((n) => ({ title: n.title, body: n.body, tag: n.tag, url: (n.data as { url: string }).url }));
          for (const n of shown) n.close();
          return list;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return [];
    });
  }

  it('is served from the listener origin with a root scope', async () => {
    const response = await fetch(`${server.url}/reminder-sw.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(response.headers.get('service-worker-allowed')).toBe('/');
  });

  it('shows a reminder push as a notification that links to the Space', async () => {
    const shown = await deliver({ title: 'Morning show', body: 'Demo Creator’s Space starts now. Tap to listen.', url: `${server.url}/s/abcdef`, tag: 'space-abcdef-start' });
    expect(shown).toEqual([{ title: 'Morning show', body: 'Demo Creator’s Space starts now. Tap to listen.', tag: 'space-abcdef-start', url: `${server.url}/s/abcdef` }]);
  });

  it('never links a notification to another site, and survives a payload that is not JSON', async () => {
    const foreign = await deliver({ title: 'Phish', body: 'x', url: 'https://evil.example/login', tag: 't' });
    expect(foreign[0]!.url).toBe(`${server.url}/`);
    const garbage = await deliver('not json at all');
    expect(garbage[0]).toMatchObject({ title: 'Spacecraft', body: 'not json at all', url: `${server.url}/` });
  });
});
