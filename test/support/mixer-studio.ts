/**
 * A browser-mode studio in Chromium with its mixer stored before the page
 * opens it, and a listener page hearing its Space: what the mixer's
 * end-to-end tests share. Every wait is a poll with a deadline.
 */
import type { Browser, Page } from 'playwright-core';
import type { MixerSettings } from '../../electron/contract.ts';
import { launchChromium } from './chromium.ts';
import type { Cleanups } from './e2e-lifecycle.ts';
import { startTestStudio } from './studio-fixture.ts';

export type { Cleanups };

/** Polls `read` until `ok` holds of its value, or fails after `timeoutMs` saying what it last saw (usable outside a test run, e.g. in benches). */
export async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (ok(last)) return last;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(last)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A studio whose microphone plays `fakeAudioFile` (Chromium's beeps when none), its mixer stored as `mixer` before the page opens it.
 * `rendererDir`: the studio page's files (a bench measuring a build from before a change); out/renderer by default.
 */
export async function openMixerStudio(cleanups: Cleanups, mixer: MixerSettings, fakeAudioFile?: string, rendererDir?: string): Promise<{ browser: Browser; host: Page }> {
  // Any account may host in these tests (hosting asks for followers where accounts exist).
  const studio = await startTestStudio({ SPACECRAFT_HOST_MIN_FOLLOWERS: '0' }, rendererDir);
  cleanups.push(() => studio.close());
  const browser = await launchChromium(fakeAudioFile ? { fakeAudioFile } : {});
  cleanups.push(() => browser.close());
  const host = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await host.goto(studio.url);
  await until('server state', () => host.locator('.topbar [role="status"]').getAttribute('data-state'), (s) => s === 'running', 20_000);
  await host.evaluate((m) => window.studio.settings.update({ mixer: m }), mixer);
  // Where the studio signs in to host, a fresh account for this test.
  await host.evaluate(async () => {
    const account = (window.studio as unknown as { account?: { signUp(input: { handle: string; password: string; displayName: string }): Promise<unknown> } }).account;
    if (account) await account.signUp({ handle: `mixer_${Date.now().toString(36)}`, password: 'mixer-test-password', displayName: 'Mixer test' });
  });
  await host.reload();
  const mode = mixer.mode === 'music' ? 'Music' : 'Voice';
  await until(`${mode} mode`, () => host.getByRole('radio', { name: mode }).isChecked(), (checked) => checked);
  return { browser, host };
}

/** Goes live and returns a listener page that hears the Space. */
export async function goLiveWithListener(browser: Browser, host: Page, title: string): Promise<Page> {
  await host.getByLabel('Space title').fill(title);
  await host.getByRole('button', { name: 'Go live' }).click();
  const link = await host.getByLabel('Listener link').inputValue({ timeout: 15_000 });
  const page = await (await browser.newContext()).newPage();
  await page.goto(link);
  await page.getByRole('button', { name: /Listen live/ }).click();
  await until('listener status', () => page.getByRole('status').first().textContent(), (text) => text?.includes('You are listening') === true, 15_000);
  return page;
}

/** Loads a file into the track player and starts it. */
export async function playTrack(host: Page, file: string): Promise<void> {
  await host.getByLabel('Load a track').setInputFiles(file);
  await until('track loaded', () => host.getByRole('button', { name: 'Play track' }).isEnabled(), (enabled) => enabled);
  await host.getByRole('button', { name: 'Play track' }).click();
  await until('track playing', () => host.getByRole('button', { name: 'Pause track' }).count(), (n) => n === 1);
}
