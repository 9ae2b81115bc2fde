/**
 * End to end in Chromium (issue #9): a creator using the studio's own bundled server turns ticket sales
 * on by saving Stripe keys in the studio. Before: the payouts card says Stripe must be connected. The
 * "Stripe keys" form refuses a publishable key by the shared rules; saving the real ones (the local
 * Stripe stub's) writes a 0600 file, restarts the bundled server, and the payouts card then offers
 * "Connect payouts", which reaches the stub with that key. The server child and its mediasoup workers
 * never hold a secret in their environment (only the file's path); the page and the server log never
 * show one. Removing the keys turns sales off again. Uses the built studio (out/).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { startBrowserStudio } from '../../electron/browser-mode/browser-studio.ts';
import { launchChromium } from '../support/chromium.ts';
import { cleanupsAfterEach } from '../support/e2e-lifecycle.ts';
import { StripeStub } from '../support/stripe-stub.ts';
import { signInToStudio } from '../support/studio-fixture.ts';

const cleanups = cleanupsAfterEach();

/** A process's environment and those of all its descendants (the server child's mediasoup workers). */
function environments(pid: number): Array<{ pid: number; env: string }> {
  const found = [{ pid, env: readFileSync(`/proc/${pid}/environ`, 'utf8') }];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    for (const child of children) found.push(...environments(Number(child)));
  }
  return found;
}

const payoutsState = (page: Page) => page.getByRole('region', { name: 'Tickets · payouts' }).getByRole('status').getAttribute('data-payouts');

describe("the studio's Stripe keys", { timeout: 180_000 }, () => {
  it('turn ticket sales on in the bundled server without ever entering its environment', async () => {
    const stub = await StripeStub.start();
    cleanups.push(() => stub.close());
    const dataDir = mkdtempSync(join(tmpdir(), 'spacecraft-stripe-keys-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    // The server's database on disk (a restart keeps the studio's sign-in); Stripe's API at the stub (an address, no secret).
    const studio = await startBrowserStudio(
      { remote: null, serverPort: 0, bridgePort: 0, dataDir, logLevel: 'warn' },
      {
        logger: pino({ level: 'warn' }),
        inMemorySettings: true,
        serverEnv: { SPACECRAFT_LOG_LEVEL: 'info', SPACECRAFT_DEMO_DATA: 'true', SPACECRAFT_CAPTION_ENGINE: 'off', SPACECRAFT_WORKERS: '1', SPACECRAFT_STRIPE_API_URL: stub.url },
      },
    );
    cleanups.push(() => studio.close());
    const browser = await launchChromium();
    cleanups.push(() => browser.close());
    const host = await browser.newPage();
    await host.goto(studio.url);
    await host.locator('.topbar [role="status"][data-state="running"]').waitFor({ timeout: 30_000 });
    await signInToStudio(host);

    // No keys: ticketing is off, and both cards say so.
    await expect.poll(() => payoutsState(host), { timeout: 15_000 }).toBe('unavailable');
    const keys = host.getByRole('region', { name: 'Stripe keys' });
    await expect.poll(() => keys.getByRole('status').getAttribute('data-stripe-keys'), { timeout: 15_000 }).toBe('none');
    expect(await keys.getByRole('status').textContent()).toContain('Ticket sales are off');
    const firstPid = studio.supervisor!.pid!;

    // A publishable key is refused in the form by the server's own rule; nothing is saved or restarted.
    await keys.getByLabel('Secret key').fill('pk_test_notasecretkey000000');
    await keys.getByLabel('Webhook signing secret').fill(stub.webhookSecret);
    await keys.getByRole('button', { name: 'Save keys' }).click();
    await keys.getByRole('alert').filter({ hasText: 'must be a Stripe secret key' }).waitFor({ timeout: 10_000 });
    expect(existsSync(join(dataDir, 'stripe-keys.json'))).toBe(false);
    expect(studio.supervisor!.pid).toBe(firstPid);

    // The real keys: saved privately, the bundled server restarted with the file, only the masked key shown.
    await keys.getByLabel('Secret key').fill(stub.secretKey);
    await keys.getByRole('button', { name: 'Save keys' }).click();
    await expect.poll(() => keys.getByRole('status').getAttribute('data-stripe-keys'), { timeout: 90_000 }).toBe('connected');
    expect(await keys.getByRole('status').textContent()).toBe(`Connected: sk_test_…${stub.secretKey.slice(-4)} (test mode)`);
    const file = join(dataDir, 'stripe-keys.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ secretKey: stub.secretKey, webhookSecret: stub.webhookSecret });
    const pid = studio.supervisor!.pid!;
    expect(pid).not.toBe(firstPid);

    // Ticket sales are on: the payouts card offers Connect, which reaches the stub with the saved key.
    await expect.poll(() => payoutsState(host), { timeout: 15_000 }).toBe('none');
    const payouts = host.getByRole('region', { name: 'Tickets · payouts' });
    await payouts.getByRole('button', { name: 'Connect payouts' }).click();
    await payouts.getByRole('link', { name: 'Open Stripe to set up payouts' }).waitFor({ timeout: 15_000 });
    expect(stub.requests.some((r) => r.method === 'POST' && r.path === '/v1/accounts' && r.status === 200)).toBe(true);

    // No secret in the server's environment (nor its workers'), on the page, or in the server's log.
    const envs = environments(pid);
    expect(envs.length).toBeGreaterThan(1);
    expect(envs[0]!.env.split('\0')).toContain(`SPACECRAFT_STRIPE_KEYS_FILE=${file}`);
    for (const { env } of envs) {
      expect(env).not.toContain(stub.secretKey);
      expect(env).not.toContain(stub.webhookSecret);
    }
    const page = await host.content();
    expect(page).not.toContain(stub.secretKey);
    expect(page).not.toContain(stub.webhookSecret);
    const log = readFileSync(join(dataDir, 'logs', 'server.log'), 'utf8');
    expect(log).toContain('server listening');
    expect(log).not.toContain(stub.secretKey);
    expect(log).not.toContain(stub.webhookSecret);

    // Removing the keys turns sales off again.
    await keys.getByRole('button', { name: 'Remove keys' }).click();
    await expect.poll(() => keys.getByRole('status').getAttribute('data-stripe-keys'), { timeout: 90_000 }).toBe('none');
    expect(existsSync(file)).toBe(false);
    await expect.poll(() => payoutsState(host), { timeout: 15_000 }).toBe('unavailable');
  });
});
