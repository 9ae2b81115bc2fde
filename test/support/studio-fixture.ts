/** The whole studio in browser mode on free loopback ports, for tests and benchmarks, and signing it in as a user would. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { pino } from 'pino';
import { startBrowserStudio, type BrowserStudio } from '../../electron/browser-mode/browser-studio.ts';
import { DEMO_CREATOR, DEMO_PASSWORD } from '../../server/db/seed.ts';

/** A studio whose bundled server keeps its data in memory and has the demo accounts (`demo_creator` may host). */
export function startTestStudio(serverEnv: Record<string, string> = {}): Promise<BrowserStudio> {
  const dataDir = mkdtempSync(join(tmpdir(), 'spacecraft-studio-'));
  return startBrowserStudio(
    { remote: null, serverPort: 0, bridgePort: 0, dataDir, logLevel: 'warn' },
    {
      logger: pino({ level: 'warn' }),
      inMemorySettings: true,
      serverEnv: { SPACECRAFT_LOG_LEVEL: 'warn', SPACECRAFT_DATA_DIR: 'memory://', SPACECRAFT_DEMO_DATA: 'true', ...serverEnv },
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
