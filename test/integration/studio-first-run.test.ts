/**
 * A new user's first `./spacecraft start` (browser mode here): the bundled server of a studio whose
 * data folder is new has the demo accounts, so the demo creator can sign in and host at once; the
 * next start on the same folder adds nothing (the accounts of the first run are kept), and
 * SPACECRAFT_DEMO_DATA=false keeps a new folder free of them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startBrowserStudio, type BrowserStudio } from '../../electron/browser-mode/browser-studio.ts';
import { createStudioServices } from '../../electron/studio-services.ts';
import { MemorySettingsStore } from '../../electron/settings/settings-store.ts';
import { DEMO_CREATOR, DEMO_PASSWORD } from '../../server/db/seed.ts';

const folders: string[] = [];
const running: BrowserStudio[] = [];

function newDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'spacecraft-first-run-'));
  folders.push(dir);
  return dir;
}

async function studioOn(dataDir: string, serverEnv: Record<string, string> = {}): Promise<BrowserStudio> {
  const studio = await startBrowserStudio(
    { remote: null, serverPort: 0, bridgePort: 0, dataDir, logLevel: 'warn' },
    { logger: pino({ level: 'silent' }), inMemorySettings: true, serverEnv: { SPACECRAFT_LOG_LEVEL: 'warn', SPACECRAFT_WORKERS: '1', ...serverEnv } },
  );
  running.push(studio);
  return studio;
}

/** Signs the studio in as the demo creator, as its sign-in screen does; the refusal's code when it cannot. */
async function demoSignIn(studio: BrowserStudio): Promise<{ mayHost: boolean } | { code: string }> {
  const services = createStudioServices({ settings: new MemorySettingsStore(), supervisor: studio.supervisor, remote: null });
  return services.handlers['studio:account:signIn']({ handle: DEMO_CREATOR.handle, password: DEMO_PASSWORD }).then(
    (account) => ({ mayHost: account.mayHost }),
    (error: { code: string }) => ({ code: error.code }),
  );
}

afterEach(async () => {
  for (const studio of running.splice(0)) await studio.close();
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("the bundled server's demo accounts", { timeout: 90_000 }, () => {
  it('are there on the first start of a new data folder, and kept but not added again on the next', async () => {
    const dataDir = newDataDir();
    const first = await studioOn(dataDir);
    expect(first.demoData).toBe(true);
    expect(await demoSignIn(first)).toEqual({ mayHost: true });
    await first.close();

    const second = await studioOn(dataDir);
    expect(second.demoData).toBe(false);
    expect(await demoSignIn(second)).toEqual({ mayHost: true });
  });

  it('are not made with SPACECRAFT_DEMO_DATA=false, even in a new data folder', async () => {
    const studio = await studioOn(newDataDir(), { SPACECRAFT_DEMO_DATA: 'false' });
    expect(studio.demoData).toBe(false);
    expect(await demoSignIn(studio)).toEqual({ code: 'PERMISSION_DENIED' });
  });
});
