/**
 * The premiere queue survives a studio restart (the page loaded again over the
 * same settings store and page storage): two queued tracks come back in order
 * with their titles, artists and artwork, the settings (read through the IPC
 * contract) hold only what the host typed, a restored track plays (its audio
 * was kept), and a removal is kept too.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIXER, type MixerSettings } from '../../electron/contract.ts';
import { cleanupsAfterEach, fixtureDir } from '../support/e2e-lifecycle.ts';
import { openMixerStudio, until } from '../support/mixer-studio.ts';
import { requireCommand } from '../support/require-tool.ts';
import { writeSine } from '../support/tones.ts';

let first: string;
let second: string;
let cover: string;
const cleanups = cleanupsAfterEach();
fixtureDir('spacecraft-premiere-kept-', (dir) => {
  first = join(dir, 'first-light.wav');
  second = join(dir, 'second-wind.wav');
  writeSine(first, 440, 20, 0.2);
  writeSine(second, 660, 20, 0.2);
  requireCommand('ffmpeg', ['-version']);
  cover = join(dir, 'cover.png');
  execFileSync('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=640x480', '-frames:v', '1', '-y', cover]);
});

const MIXER: MixerSettings = { ...DEFAULT_MIXER, channels: { ...DEFAULT_MIXER.channels, mic: { gainDb: 0, muted: true, solo: false } } };

const panelOf = (host: Page) => host.getByRole('region', { name: 'Premiere' });
const entries = (host: Page) =>
  panelOf(host)
    .getByRole('list', { name: 'Premiere queue' })
    .locator('li')
    .evaluateAll((items) =>
      items.map((li) => ({
        title: li.querySelector('.premiere-title')?.textContent ?? '',
        artist: li.querySelector('.premiere-artist')?.textContent ?? '',
        art: (li.querySelector('img.premiere-art') as HTMLImageElement | null)?.src.slice(0, 23) ?? null,
      })),
    );

async function queue(host: Page, file: string, title: string, artist: string, artwork?: string): Promise<void> {
  const panel = panelOf(host);
  const before = await panel.getByRole('list', { name: 'Premiere queue' }).locator('li').count();
  await panel.getByLabel('Premiere audio file').setInputFiles(file);
  await panel.getByLabel('Track title').fill(title);
  await panel.getByLabel('Track artist').fill(artist);
  if (artwork) {
    await panel.getByLabel('Premiere artwork file').setInputFiles(artwork);
    await until('artwork preview', () => panel.getByAltText('Artwork preview').count(), (n) => n === 1);
  }
  await panel.getByRole('button', { name: 'Add to queue' }).click();
  await until('queued', () => panel.getByRole('list', { name: 'Premiere queue' }).locator('li').count(), (n) => n === before + 1);
}

const savedQueue = (host: Page) => host.evaluate(async () => (await window.studio.settings.get()).premiere.queue.map((e) => e.title));

describe('the premiere queue', { timeout: 120_000 }, () => {
  it('comes back after a restart with titles, artists and artwork, plays, and keeps a removal', async () => {
    const { host } = await openMixerStudio(cleanups, MIXER);
    await queue(host, first, 'First Light', 'The Tones', cover);
    await queue(host, second, 'Second Wind', 'The Others');
    await until('saved', () => savedQueue(host), (titles) => titles.join() === 'First Light,Second Wind');
    // The settings hold what the host typed, never the audio or the artwork.
    const settings = await host.evaluate(async () => JSON.stringify(await window.studio.settings.get()));
    expect(settings).not.toContain('base64');

    await host.reload();
    await until('queue restored', () => entries(host), (list) => list.length === 2, 15_000);
    expect(await entries(host)).toEqual([
      { title: 'First Light', artist: 'The Tones', art: 'data:image/jpeg;base64,' },
      { title: 'Second Wind', artist: 'The Others', art: null },
    ]);

    // A restored track plays: its audio was kept.
    await panelOf(host).getByRole('button', { name: 'Play Second Wind', exact: true }).click();
    await until('music mode', () => host.getByRole('radio', { name: 'Music' }).isChecked(), (checked) => checked);
    await until('playing', () => host.locator('[aria-label="Premiere playing"]').getAttribute('data-playing'), (playing) => playing === 'true');
    expect(await host.locator('[aria-label="Premiere playing"]').locator('.premiere-title').textContent()).toBe('Second Wind');
    await panelOf(host).getByRole('button', { name: 'Stop premiere' }).click();

    await panelOf(host).getByRole('button', { name: 'Remove First Light' }).click();
    await until('removal saved', () => savedQueue(host), (titles) => titles.join() === 'Second Wind');
    await host.reload();
    await until('queue restored again', () => entries(host), (list) => list.length === 1, 15_000);
    expect((await entries(host)).map((e) => e.title)).toEqual(['Second Wind']);
  });
});
