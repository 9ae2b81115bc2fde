/** The whole studio in browser mode on free loopback ports, for tests and benchmarks, and signing it in as a user would. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { pino } from 'pino';
import { startBrowserStudio, type BrowserStudio } from '../../electron/browser-mode/browser-studio.ts';
import { DEMO_CREATOR, DEMO_PASSWORD } from '../../server/db/seed.ts';

/** A studio whose bundled server keeps its data in memory and has the demo accounts (`demo_creator` may host); `rendererDir`: the page's files, out/renderer by default. */
export function startTestStudio(serverEnv: Record<string, string> = {}, rendererDir?: string): Promise<BrowserStudio> {
  const dataDir = mkdtempSync(join(tmpdir(), 'spacecraft-studio-'));
  return startBrowserStudio(
    { remote: null, serverPort: 0, bridgePort: 0, dataDir, logLevel: 'warn' },
    {
      logger: pino({ level: 'warn' }),
      inMemorySettings: true,
      ...(rendererDir ? { rendererDir } : {}),
      // Captions run only where a test asks for them (an engine per speaker is a real process).
      serverEnv: { SPACECRAFT_LOG_LEVEL: 'warn', SPACECRAFT_DATA_DIR: 'memory://', SPACECRAFT_DEMO_DATA: 'true', SPACECRAFT_CAPTION_ENGINE: 'off', ...serverEnv },
    },
  );
}

/**
 * Signs the studio page in through its sign-in screen (Handle, Password, "Sign in"), by default as
 * the demo creator, and waits until the studio shows the account and may go live.
 */
export async function signInToStudio(page: Page, account: { handle: string; password: string } = { handle: DEMO_CREATOR.handle, password: DEMO_PASSWORD }): Promise<void> {
  const form = page.getByRole('region', { name: 'Sign in to host' });
  // The studio shows it once its audio is set up and it has asked its server for the account (slow on a busy machine).
  await form.getByLabel('Handle').fill(account.handle, { timeout: 40_000 });
  await form.getByLabel('Password').fill(account.password);
  await form.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 15_000 });
  await page.getByRole('button', { name: 'Go live' }).waitFor({ timeout: 15_000 });
}

/** Opens a Space from a signed-in studio page ("Space title", "Go live") and answers its listener link. */
export async function goLive(page: Page, title: string): Promise<string> {
  await page.getByLabel('Space title').fill(title);
  await page.getByRole('button', { name: 'Go live' }).click();
  return page.getByLabel('Listener link').inputValue({ timeout: 15_000 });
}

/** Opens the studio at `url` in a new page of `browser`, waits for its server, signs in and goes live. */
export async function openLiveStudio(browser: Browser, url: string, title: string): Promise<{ host: Page; link: string }> {
  const host = await browser.newPage();
  await host.goto(url);
  await host.locator('.topbar [role="status"][data-state="running"]').waitFor({ timeout: 20_000 });
  await signInToStudio(host);
  return { host, link: await goLive(host, title) };
}

/** Signs in on the listener page's own form (opened by whatever needed an account), with the demo password. */
export async function signInOnListenerPage(page: Page, handle: string): Promise<void> {
  const form = page.getByRole('form', { name: 'Sign in' });
  await form.getByLabel('Handle').fill(handle);
  await form.getByLabel('Password').fill(DEMO_PASSWORD);
  await form.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByText(`@${handle}`).waitFor({ timeout: 10_000 });
}
