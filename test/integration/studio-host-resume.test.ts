/**
 * The host's studio takes its Space back after its signalling connection
 * drops: the studio page (browser mode, real Chromium with a fake microphone
 * playing a tone), signed in as the demo creator, reaches a real server
 * through a TCP proxy; the proxy cuts
 * every connection; the studio reconnects, resumes the Space with its host key
 * and publishes again, and a listener (connected directly, so unaffected) hears
 * the tone again on the same Space.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type Bridge } from '../../electron/browser-mode/bridge.ts';
import { RENDERER_DIR } from '../../electron/browser-mode/browser-studio.ts';
import { MemorySettingsStore } from '../../electron/settings/settings-store.ts';
import { createStudioServices } from '../../electron/studio-services.ts';
import { sampleReceivedAudio } from '../support/audio-probe.ts';
import { launchChromium } from '../support/chromium.ts';
import { cuttableProxy, type CuttableProxy } from '../support/cuttable-proxy.ts';
import { startTestServer } from '../support/server-fixture.ts';
import { signInToStudio } from '../support/studio-fixture.ts';
import { writeToneSequence } from '../support/tones.ts';

const TONE_HZ = 660;

/** Whether the listener page hears the tone now (a short window of samples). */
async function hearsTone(page: Page): Promise<boolean> {
  const samples = await page.evaluate(sampleReceivedAudio, { durationMs: 700, intervalMs: 100, selector: 'audio' }).catch(() => []);
  return samples.filter((s) => s.t >= 250 && s.rmsDbfs > -45 && Math.abs(s.hz - TONE_HZ) <= 15).length >= 3;
}

let dir: string;
let server: Awaited<ReturnType<typeof startTestServer>>;
let proxy: CuttableProxy;
let bridge: Bridge;
let browser: Browser;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spacecraft-resume-'));
  writeToneSequence(join(dir, 'tone.wav'), [[TONE_HZ, 60]]);
  bridge = await startBridge({ rendererDir: RENDERER_DIR, port: 0, logger: pino({ level: 'silent' }) });
  server = await startTestServer({ SPACECRAFT_ALLOWED_ORIGINS: bridge.origin, SPACECRAFT_HOST_GRACE_MS: '15000' });
  proxy = await cuttableProxy(server.port);
  bridge.serve(createStudioServices({ settings: new MemorySettingsStore(), supervisor: null, remote: { url: proxy.origin } }));
  browser = await launchChromium({ fakeAudioFile: join(dir, 'tone.wav') });
});

afterAll(async () => {
  await browser?.close();
  await bridge?.close();
  await proxy?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the studio after its connection to the server drops', { timeout: 90_000 }, () => {
  it('takes the Space back and listeners hear it again', async () => {
    const host = await browser.newPage();
    await host.goto(bridge.url);
    // The studio starts signed out: the host signs in on its sign-in screen (the demo creator may host).
    await signInToStudio(host);
    await expect.poll(async () => Number(await host.getByRole('meter', { name: 'Microphone level' }).getAttribute('data-rms-dbfs')), { timeout: 15_000 }).toBeGreaterThan(-30);
    await host.getByLabel('Space title').fill('Resume check');
    await host.getByRole('button', { name: 'Go live' }).click();
    const link = await host.getByLabel('Listener link').inputValue({ timeout: 15_000 });

    // The listener goes straight to the server, not through the proxy.
    const listener = await (await browser.newContext()).newPage();
    await listener.goto(link.replace(proxy.origin, server.url));
    await listener.getByRole('button', { name: /Listen live/ }).click();
    await expect.poll(() => hearsTone(listener), { timeout: 20_000 }).toBe(true);

    const receivedTrack = () => listener.evaluate(() => (document.querySelector('audio')?.srcObject as MediaStream | null)?.getAudioTracks()[0]?.id ?? null);
    const before = await receivedTrack();
    expect(before).not.toBeNull();
    const reconnecting: string[] = [];
    await host.exposeFunction('sawReconnecting', (text: string) => reconnecting.push(text));
    await host.evaluate(() => {
      new MutationObserver(() => {
        const note = document.querySelector('[data-reconnecting]');
        if (note) (window as unknown as { sawReconnecting(t: string): void }).sawReconnecting(note.textContent ?? '');
      }).observe(document.body, { childList: true, subtree: true });
    });
    // Every connection through the proxy is cut; new ones go through at once.
    expect(proxy.down()).toBeGreaterThan(0);
    proxy.up();

    await expect.poll(() => reconnecting.length, { timeout: 10_000 }).toBeGreaterThan(0);
    await expect.poll(() => host.locator('[data-reconnecting]').count(), { timeout: 20_000 }).toBe(0);
    expect(await host.getByRole('status').filter({ hasText: 'Live: Resume check' }).count()).toBe(1);
    expect(await host.getByRole('button', { name: 'Start another Space' }).count()).toBe(0);
    // The same Space, heard again by the same listener on its new producer.
    await expect.poll(receivedTrack, { timeout: 20_000 }).not.toBe(before);
    await expect.poll(() => hearsTone(listener), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => listener.getByRole('status').textContent(), { timeout: 5000 }).toContain('You are listening');
  });
});
