/**
 * The browser-mode bridge holds the studio's signed-in session (its token lets
 * whoever holds it host as that account): only the page it served,
 * opened with the printed URL (which carries the per-run key in its fragment),
 * may reach it. A page from another origin in the same browser, a raw client
 * with a forged Origin or Host (DNS rebinding), and a client without the key
 * are refused at the upgrade with 403 and never see a byte of a reply.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as WsClient } from 'ws';
import { startBridge } from '../../electron/browser-mode/bridge.ts';
import { RENDERER_DIR } from '../../electron/browser-mode/browser-studio.ts';
import { createStudioServices } from '../../electron/studio-services.ts';
import { MemorySettingsStore } from '../../electron/settings/settings-store.ts';
import { DEMO_CREATOR, DEMO_PASSWORD } from '../../server/db/seed.ts';
import { launchChromium } from '../support/chromium.ts';
import { startTestServer, type TestServer } from '../support/server-fixture.ts';

/** The session token the studio holds once signed in: it must not leak. */
let TOKEN: string;
let server: TestServer;

type Bridge = Awaited<ReturnType<typeof startBridge>>;

let bridge: Bridge;
let bridgeOrigin: string;
let key: string;
let foreign: Server;
let foreignOrigin: string;
let browser: Browser;

/** What a raw client got: the upgrade's HTTP status, and every frame it could read. */
function tryBridge(options: { origin?: string; host?: string; protocols?: string[] }): Promise<{ status: number; frames: string[] }> {
  const url = `${bridgeOrigin.replace('http:', 'ws:')}/bridge`;
  return new Promise((resolve, reject) => {
    const socket = new WsClient(url, options.protocols ?? [], {
      ...(options.origin !== undefined ? { origin: options.origin } : {}),
      ...(options.host !== undefined ? { headers: { host: options.host } } : {}),
    });
    const frames: string[] = [];
    socket.on('unexpected-response', (_request, response) => {
      resolve({ status: response.statusCode ?? 0, frames });
      response.resume();
      socket.terminate();
    });
    socket.on('open', () => socket.send(JSON.stringify({ id: 1, channel: 'studio:account:get' })));
    socket.on('message', (data) => {
      frames.push(String(data));
      socket.close();
    });
    socket.on('close', () => resolve({ status: 101, frames }));
    socket.on('error', (error) => {
      if (!socket.listenerCount('unexpected-response')) reject(error);
    });
  });
}

beforeAll(async () => {
  server = await startTestServer();
  const supervisorless = createStudioServices({ settings: new MemorySettingsStore(), supervisor: null, remote: { url: server.url } });
  // The studio is signed in (as through its sign-in screen) before any page reaches the bridge.
  TOKEN = (await supervisorless.handlers['studio:account:signIn']({ handle: DEMO_CREATOR.handle, password: DEMO_PASSWORD })).sessionToken;
  bridge = await startBridge({ services: supervisorless, rendererDir: RENDERER_DIR, port: 0, logger: pino({ level: 'silent' }) });
  const url = new URL(bridge.url);
  bridgeOrigin = url.origin;
  key = new URLSearchParams(url.hash.slice(1)).get('key') ?? '';

  // A page the attacker controls, from another origin on the same machine.
  foreign = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end('<!doctype html><title>Cute cats</title><p>cats</p>');
  });
  await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
  foreignOrigin = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await bridge?.close();
  await new Promise((resolve) => foreign?.close(resolve));
  await server?.close();
});

describe('browser-mode bridge security', { timeout: 30_000 }, () => {
  it('prints a URL whose fragment carries a 32-byte key', () => {
    expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#key=[A-Za-z0-9_-]{43}$/);
  });

  it("does not give the studio's session to a page from another origin", async () => {
    const page = await browser.newPage();
    await page.goto(foreignOrigin);
    const stolen = await page.evaluate(async (bridgeWs) => {
      const attempt = (protocols: string[]) =>
        new Promise<{ opened: boolean; frames: string[] }>((resolve) => {
          const socket = new WebSocket(bridgeWs, protocols);
          const result = { opened: false, frames: [] as string[] };
          socket.onopen = () => {
            result.opened = true;
            socket.send(JSON.stringify({ id: 1, channel: 'studio:account:get' }));
          };
          socket.onmessage = (event) => {
            result.frames.push(String(event.data));
            socket.close();
          };
          socket.onclose = () => resolve(result);
        });
      return [await attempt([]), await attempt(['spacecraft-bridge']), await attempt(['spacecraft-bridge', 'key.guessed-key'])];
    }, `${bridgeOrigin.replace('http:', 'ws:')}/bridge`);
    await page.close();
    expect(stolen).toEqual([
      { opened: false, frames: [] },
      { opened: false, frames: [] },
      { opened: false, frames: [] },
    ]);
    expect(JSON.stringify(stolen)).not.toContain(TOKEN);
  });

  it('refuses raw clients with a foreign Origin, no Origin, a rebound Host, or no or a wrong key', async () => {
    const good = { origin: bridgeOrigin, protocols: ['spacecraft-bridge', `key.${key}`] };
    const refused = [
      { ...good, origin: 'http://evil.example' },
      { ...good, origin: foreignOrigin },
      { protocols: good.protocols },
      { ...good, host: `evil.example:${new URL(bridgeOrigin).port}` },
      { ...good, host: 'localhost:1' },
      { origin: bridgeOrigin, protocols: ['spacecraft-bridge'] },
      { origin: bridgeOrigin, protocols: [] },
      // One character off (a key ending in 'A' — one in 16, its last character holds 4 bits — gets a 'B').
      { origin: bridgeOrigin, protocols: ['spacecraft-bridge', `key.${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`] },
      { origin: bridgeOrigin, protocols: ['spacecraft-bridge', 'key.short'] },
    ];
    for (const attempt of refused) {
      expect(await tryBridge(attempt), JSON.stringify(attempt)).toEqual({ status: 403, frames: [] });
    }
  });

  it('answers a raw client with the right Origin, Host and key', async () => {
    const reply = await tryBridge({ origin: bridgeOrigin, protocols: ['spacecraft-bridge', `key.${key}`] });
    expect(reply.status).toBe(101);
    expect(JSON.parse(reply.frames[0]!)).toEqual({ id: 1, reply: { ok: true, data: expect.objectContaining({ handle: DEMO_CREATOR.handle, sessionToken: TOKEN }) } });
  });

  it('works for the studio page opened with the printed URL, also after a reload', async () => {
    const page = await browser.newPage();
    await page.goto(bridge.url);
    expect(await page.evaluate(() => window.studio.server.getConnection())).toEqual({ url: server.url });
    expect(await page.evaluate(() => window.studio.account.get())).toMatchObject({ handle: DEMO_CREATOR.handle, mayHost: true, sessionToken: TOKEN });
    // The key leaves the address bar (screenshots, screen sharing) but the tab keeps it.
    expect(new URL(page.url()).hash).toBe('');
    await page.reload();
    expect(await page.evaluate(() => window.studio.account.get())).toMatchObject({ handle: DEMO_CREATOR.handle, sessionToken: TOKEN });
    await page.close();
  });

  it('tells a page opened without the key how to get in, and gives it nothing', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${bridgeOrigin}/`);
    const answer = await page.evaluate(() =>
      window.studio.account.get().then(
        (account) => ({ account }),
        (error: { code?: string; message?: string }) => ({ code: error.code, message: error.message }),
      ),
    );
    await page.close();
    expect(answer).toEqual({ code: 'PERMISSION_DENIED', message: expect.stringMatching(/link printed/) });
  });

  it('serves the studio page so that no other site can frame it or learn its URL', async () => {
    const response = await fetch(`${bridgeOrigin}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
