/** Shared steps of the benchmark: browsers with a fake microphone, instrumented pages, going live, listening. */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { signInToStudio } from '../support/studio-fixture.ts';
import type { BrowserStudio } from '../../electron/browser-mode/browser-studio.ts';
import { launchChromium } from '../support/chromium.ts';
import type { Summary } from '../support/percentiles.ts';
import { attachProbe, createProbe, readProbe, WORKLET_SOURCE, type ProbeOptions, type ProbeReport, type ProbeSource } from './onset-probe.ts';
import { installPageHooks } from './page-hooks.ts';

export type Row = { metric: string; summary: Summary; goal?: { p95Below: number } };
export type Result = { rows: Row[]; notes: string[] };

/** Run in reverse order at the end, whatever happened. */
export const cleanups: Array<() => Promise<void> | void> = [];

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const log = (message: string) => process.stderr.write(`bench: ${message}\n`);
export const list = (values: number[]) => values.map((v) => v.toFixed(1)).join(' ');

export async function benchBrowser(fakeAudioFile: string): Promise<Browser> {
  const browser = await launchChromium({ fakeAudioFile });
  cleanups.push(() => browser.close());
  return browser;
}

export async function benchContext(browser: Browser): Promise<BrowserContext> {
  // bypassCSP: the probe's worklet comes from a Blob URL (see onset-probe.ts).
  const context = await browser.newContext({ bypassCSP: true });
  await context.addInitScript(installPageHooks);
  return context;
}

export async function createProbeIn(page: Page, name: string, options: ProbeOptions): Promise<void> {
  await page.evaluate(createProbe, { ...options, name, workletSource: WORKLET_SOURCE });
}

export async function attachProbeIn(page: Page, name: string, source: ProbeSource): Promise<void> {
  await page.evaluate(attachProbe, { name, source });
}

export const readProbeIn = (page: Page, name: string): Promise<ProbeReport> => page.evaluate(readProbe, name);

/** The studio page, once its server is running, signed in as the demo creator (hosting needs an account). */
export async function openStudio(browser: Browser, studio: BrowserStudio): Promise<Page> {
  const host = await (await benchContext(browser)).newPage();
  await host.goto(studio.url);
  await host.locator('[role="status"][data-state="running"]').waitFor({ timeout: 20_000 });
  // The studio keeps its session: a second page of the same studio is already signed in.
  const signedIn = host.getByRole('button', { name: 'Sign out' });
  await signedIn.or(host.getByRole('region', { name: 'Sign in to host' })).first().waitFor({ timeout: 20_000 });
  if (!(await signedIn.isVisible())) await signInToStudio(host);
  return host;
}

/** Goes live (once the microphone is ready); returns the listener link. */
export async function goLive(host: Page, title: string): Promise<string> {
  await host.getByLabel('Space title').fill(title);
  await host.getByRole('button', { name: 'Go live' }).click({ timeout: 15_000 });
  return host.getByLabel('Listener link').inputValue({ timeout: 15_000 });
}

export async function endSpace(host: Page): Promise<void> {
  await host.getByRole('button', { name: 'End Space' }).click();
  await host.getByRole('status').filter({ hasText: 'You ended the Space' }).waitFor({ timeout: 10_000 });
}

/** A listener page in a fresh context, loaded and ready to click "Listen live". */
export async function openListener(browser: Browser, link: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await benchContext(browser);
  const page = await context.newPage();
  await page.goto(link);
  await page.getByRole('button', { name: /Listen live/ }).waitFor({ timeout: 10_000 });
  return { context, page };
}

/**
 * Waits until the listener page has pre-joined (its media connected: the timeline shows `peer connected`),
 * then a moment more, as a visitor reads the page before clicking.
 */
export async function waitForPrejoin(page: Page, settleMs = 300): Promise<void> {
  await page
    .waitForFunction(() => window.__benchTimeline?.some((m) => m.label === 'peer connected') === true, null, { timeout: 15_000, polling: 20 })
    .catch(() => Promise.reject(new Error('the listener page did not pre-join (no connected peer) within 15 s')));
  await new Promise((r) => setTimeout(r, settleMs));
}

export async function listen(page: Page): Promise<void> {
  await page.getByRole('button', { name: /Listen live/ }).click();
}
