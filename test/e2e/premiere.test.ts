/**
 * A premiere in Chromium (issue #8, point 5): the host's studio queues a
 * sox-made stereo track (440 Hz left, 1 kHz right) with a title, an artist and
 * artwork (an 800×600 ffmpeg test picture, resized by the studio to a small
 * JPEG), and plays it. The mixer goes to music mode by itself and a listener
 * hears stereo (each tone on its own side); two listener pages (one at phone
 * width) show the title, the artist, the artwork and a progress that advances;
 * pausing shows paused on both; at the end the studio is back in voice mode and
 * both pages drop the card. PREMIERE_SCREENSHOTS=<folder> saves the screens.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIXER, type MixerSettings } from '../../electron/contract.ts';
import { cleanupsAfterEach, fixtureDir } from '../support/e2e-lifecycle.ts';
import { goLiveWithListener, openMixerStudio, until } from '../support/mixer-studio.ts';
import { requireCommand } from '../support/require-tool.ts';
import { writeStereoTones } from '../support/stereo-fixtures.ts';
import { measureChannels } from '../support/stereo-probe.ts';

const LEFT_HZ = 440;
const RIGHT_HZ = 1000;
const TRACK_SECONDS = 16;

let trackFile: string;
let coverFile: string;
const shots = process.env['PREMIERE_SCREENSHOTS'];
const cleanups = cleanupsAfterEach();

fixtureDir('spacecraft-premiere-', (dir) => {
  trackFile = join(dir, 'night-drive.wav');
  writeStereoTones(trackFile, { leftHz: LEFT_HZ, rightHz: RIGHT_HZ, seconds: TRACK_SECONDS, volume: 0.25 });
  requireCommand('ffmpeg', ['-version']);
  coverFile = join(dir, 'cover.png');
  execFileSync('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=800x600', '-frames:v', '1', '-y', coverFile]);
  if (shots) mkdirSync(shots, { recursive: true });
});

/** Voice mode (the host's own choice), the microphone muted (Chromium's fake one beeps), the track played once, no ducking. */
const MIXER: MixerSettings = {
  ...DEFAULT_MIXER,
  mode: 'voice',
  channels: { ...DEFAULT_MIXER.channels, mic: { gainDb: 0, muted: true, solo: false } },
  track: { loop: false },
  ducking: { ...DEFAULT_MIXER.ducking, enabled: false },
};

const card = (page: Page) => page.getByRole('region', { name: 'Now playing' });
const positionMs = async (page: Page) => Number(await card(page).getAttribute('data-position-ms'));
const shoot = async (page: Page, name: string, locator?: ReturnType<Page['locator']>) => {
  if (shots) await (locator ?? page).screenshot({ path: join(shots, `${name}.png`) });
};

describe('premiere', { timeout: 150_000 }, () => {
  it('plays a queued track in music mode to two listener pages that show its title, artist, artwork and progress, pause, and the end (back to voice, card gone)', async () => {
    const { browser, host } = await openMixerStudio(cleanups, MIXER);
    const listener = await goLiveWithListener(browser, host, 'Premiere night');
    const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true })).newPage();
    await phone.goto(await host.getByLabel('Listener link').inputValue());
    await phone.getByRole('button', { name: /Listen live/ }).click();
    await until('phone listening', () => phone.getByRole('status').first().textContent(), (text) => text?.includes('You are listening') === true, 15_000);

    // Queue the track: audio, title, artist, artwork.
    const panel = host.getByRole('region', { name: 'Premiere' });
    await panel.getByLabel('Premiere audio file').setInputFiles(trackFile);
    await panel.getByLabel('Track title').fill('Night Drive');
    await panel.getByLabel('Track artist').fill('The Tones');
    await panel.getByLabel('Premiere artwork file').setInputFiles(coverFile);
    await until('artwork preview', () => panel.getByAltText('Artwork preview').count(), (n) => n === 1);
    await panel.getByRole('button', { name: 'Add to queue' }).click();
    await until('queued', () => panel.getByRole('list', { name: 'Premiere queue' }).locator('li').count(), (n) => n === 1);
    expect(await host.getByRole('radio', { name: 'Voice' }).isChecked()).toBe(true);
    await shoot(host, 'studio-queue', panel);

    // Play: music mode by itself, told to both pages.
    await panel.getByRole('button', { name: 'Play Night Drive', exact: true }).click();
    await until('music mode', () => host.getByRole('radio', { name: 'Music' }).isChecked(), (checked) => checked);
    expect(await host.getByRole('radio', { name: 'Voice' }).isDisabled()).toBe(true);
    await until('studio says listeners see it', () => panel.locator('[data-told]').getAttribute('data-told'), (told) => told === 'told');
    for (const page of [listener, phone]) {
      await until('card', () => card(page).count(), (n) => n === 1, 10_000);
      expect(await card(page).getByText('Night Drive', { exact: true }).count()).toBe(1);
      expect(await card(page).getByText('The Tones', { exact: true }).count()).toBe(1);
      const art = await card(page).getByRole('img', { name: 'Artwork for Night Drive' }).evaluate((img: HTMLImageElement) => ({ src: img.src.slice(0, 23), width: img.naturalWidth, height: img.naturalHeight }));
      expect(art).toEqual({ src: 'data:image/jpeg;base64,', width: 256, height: 192 });
      expect(await card(page).getAttribute('data-playing')).toBe('true');
    }
    // The progress moves by itself on both pages (the host says nothing while it plays).
    const before = await Promise.all([positionMs(listener), positionMs(phone)]);
    await until('progress advancing', async () => Math.min((await positionMs(listener)) - before[0]!, (await positionMs(phone)) - before[1]!), (gained) => gained >= 1500, 8_000);
    // Printed, not asserted (no timing assertions): how far apart the two pages' clocks put the play head.
    const [atListener, atPhone] = await Promise.all([positionMs(listener), positionMs(phone)]);
    console.info(`progress: listener ${atListener} ms, phone ${atPhone} ms (apart ${Math.abs(atListener - atPhone)} ms)`);

    // Music mode at the listener: each tone on its own side.
    const stereo = await listener.evaluate(measureChannels, { durationMs: 1200, selector: 'audio', bandsHz: [LEFT_HZ, RIGHT_HZ], rangesHz: [] });
    console.info(`at the listener (${stereo.channels} channels): L 440 Hz ${stereo.bandsDb[0]![0]!.toFixed(1)} / 1 kHz ${stereo.bandsDb[0]![1]!.toFixed(1)} dB; R 440 Hz ${stereo.bandsDb[1]![0]!.toFixed(1)} / 1 kHz ${stereo.bandsDb[1]![1]!.toFixed(1)} dB`);
    expect(stereo.channels).toBe(2);
    expect(stereo.bandsDb[0]![0]! - stereo.bandsDb[0]![1]!).toBeGreaterThan(25);
    expect(stereo.bandsDb[1]![1]! - stereo.bandsDb[1]![0]!).toBeGreaterThan(25);
    await shoot(host, 'studio-playing', panel);
    await shoot(phone, 'phone-playing');
    await shoot(listener, 'listener-card', card(listener));

    // Pause: both pages say paused and hold still.
    await panel.getByRole('button', { name: 'Pause', exact: true }).click();
    for (const page of [listener, phone]) {
      await until('paused', () => card(page).getAttribute('data-playing'), (playing) => playing === 'false', 10_000);
      expect(await card(page).getByText('Paused', { exact: true }).count()).toBe(1);
    }
    const held = await positionMs(phone);
    await new Promise((r) => setTimeout(r, 1200));
    expect(await positionMs(phone)).toBe(held);
    expect(await host.getByRole('radio', { name: 'Music' }).isChecked()).toBe(true);
    await shoot(phone, 'phone-paused');

    // Resume and let it play to its end: back to voice mode, the card gone on both pages.
    await panel.getByRole('button', { name: 'Resume', exact: true }).click();
    await until('playing again', () => card(phone).getAttribute('data-playing'), (playing) => playing === 'true', 10_000);
    await until('voice mode after the end', () => host.getByRole('radio', { name: 'Voice' }).isChecked(), (checked) => checked, TRACK_SECONDS * 1000 + 10_000);
    for (const page of [listener, phone]) await until('card gone', () => card(page).count(), (n) => n === 0, 10_000);
    expect(await panel.getByRole('list', { name: 'Premiere queue' }).locator('li').getAttribute('data-played')).toBe('true');
    expect(await listener.getByRole('status').first().textContent()).toContain('You are listening');
    await shoot(host, 'studio-after', panel);
  });
});
