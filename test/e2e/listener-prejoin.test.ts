/**
 * The listener page pre-joins (issue #8 point 6): opened on a live Space it
 * joins, consumes the host paused and connects its media (ICE + DTLS) before
 * anyone clicks; the click on "Listen live" sends `resumeConsumer` and
 * `startListening` (now counted as a listener) and nothing else, and the
 * host's 440 Hz tone is heard right after it. The page's
 * signalling requests and its peer connection's states are recorded by an
 * init script.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIXER } from '../../electron/contract.ts';
import { cleanupsAfterEach, fixtureDir } from '../support/e2e-lifecycle.ts';
import { openMixerStudio } from '../support/mixer-studio.ts';
import { watchTone } from '../support/tone-watch.ts';
import { writeSine } from '../support/tones.ts';

const HOST_HZ = 440;
const HEARD_DB = -70;

let mic: string;
const cleanups = cleanupsAfterEach();
fixtureDir('spacecraft-prejoin-', (dir) => {
  mic = join(dir, 'host.wav');
  writeSine(mic, HOST_HZ, 60, 0.3);
});

type Recorded = { sent: string[]; peers: string[] };
declare global {
  interface Window {
    __prejoin?: Recorded;
  }
}

/** Runs in the page before its scripts: records each signalling request's method and each peer connection state. */
function recordSignalling(): void {
  const recorded: Recorded = { sent: [], peers: [] };
  window.__prejoin = recorded;
  const NativeSocket = window.WebSocket;
  window.WebSocket = class extends NativeSocket {
    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      if (typeof data === 'string') {
        const { method } = JSON.parse(data) as { method?: unknown };
        if (typeof method === 'string') recorded.sent.push(method);
      }
      super.send(data as string);
    }
  };
  const NativePeer = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends NativePeer {
    constructor(config?: RTCConfiguration) {
      super(config);
      this.addEventListener('connectionstatechange', () => recorded.peers.push(this.connectionState));
    }
  };
}

const recorded = (page: Page) => page.evaluate(() => ({ sent: window.__prejoin!.sent.filter((m) => m !== 'ping'), peers: [...window.__prejoin!.peers] }));

describe('the listener page pre-joins', { timeout: 120_000 }, () => {
  it('is joined and media-connected before the click; the click only resumes, and the host is heard', async () => {
    const { browser, host } = await openMixerStudio(cleanups, DEFAULT_MIXER, mic);
    await host.getByLabel('Space title').fill('Pre-join check');
    await host.getByRole('button', { name: 'Go live' }).click();
    const link = await host.getByLabel('Listener link').inputValue({ timeout: 15_000 });

    const context = await browser.newContext();
    await context.addInitScript(recordSignalling);
    const page = await context.newPage();
    await page.goto(link);
    await expect.poll(async () => (await recorded(page)).peers, { timeout: 20_000 }).toContain('connected');
    const before = await recorded(page);
    expect(before.sent).toEqual(['joinSpace', 'createTransport', 'consume', 'connectTransport']);
    // Nothing plays before the click.
    expect(await page.locator('audio').count()).toBe(0);

    await page.getByRole('button', { name: /Listen live/ }).click();
    const heard = await page.evaluate(watchTone, { hz: HOST_HZ, thresholdDb: HEARD_DB, timeoutMs: 15_000 });
    expect(heard.heard).toBe(true);
    const after = await recorded(page);
    expect(after.sent.slice(before.sent.length).sort()).toEqual(['resumeConsumer', 'startListening']);
    // The same connection: it never went through connecting again.
    expect(after.peers.filter((s) => s === 'connected')).toHaveLength(1);
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('You are listening');
  });
});
