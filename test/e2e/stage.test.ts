/**
 * The stage end to end, in Chromium, through the screens people use: the host
 * signs in to the studio (browser mode) and goes live; on the listener page a
 * listener signs in, asks to speak, the host accepts in the studio, the
 * listener goes through the green room (their microphone meter moves) and
 * joins muted, unmutes, and another listener hears their tone (a frequency the
 * host's microphone does not play); the host mutes them and their own unmute is
 * refused by the server; the host removes them and they cannot come back.
 *
 * The host's fake microphone plays 440 Hz, the speaker's (another browser)
 * 1000 Hz; the other listener measures both bands of everything it receives.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { startBrowserStudio } from '../../electron/browser-mode/browser-studio.ts';
import { DEMO_LISTENERS, DEMO_PASSWORD } from '../../server/db/seed.ts';
import { launchChromium } from '../support/chromium.ts';
import { cleanupsAfterEach, fixtureDir } from '../support/e2e-lifecycle.ts';
import { freePort } from '../support/free-port.ts';
import { openLiveStudio, signInOnListenerPage, signInToStudio, startTestStudio } from '../support/studio-fixture.ts';
import { writeSine } from '../support/tones.ts';

const HOST_HZ = 440;
const SPEAKER_HZ = 1000;
/** A band this far above the other is the one heard (the spectrum's noise floor sits near −100 dB). */
const HEARD_DB = -70;
const SILENT_DB = -85;

const mics = { host: '', speaker: '' };
const cleanups = cleanupsAfterEach();

fixtureDir('spacecraft-stage-', (dir) => {
  mics.host = join(dir, 'host.wav');
  mics.speaker = join(dir, 'speaker.wav');
  writeSine(mics.host, HOST_HZ, 30, 0.3);
  writeSine(mics.speaker, SPEAKER_HZ, 30, 0.3);
});

/**
 * The level (dB) at each of `bandsHz` in everything the page receives: every
 * <audio> element's stream summed into one analyser, averaged over `durationMs`.
 * Runs in the page.
 */
async function bandLevels(args: { bandsHz: number[]; durationMs: number; what?: 'received' | 'speakers' }): Promise<number[]> {
  const taps = (window as unknown as { __speakerTaps?: MediaStream[] }).__speakerTaps ?? [];
  const streams =
    args.what === 'speakers'
      ? taps
      : [...document.querySelectorAll('audio')].map((a) => a.srcObject).filter((s): s is MediaStream => s instanceof MediaStream && s.getAudioTracks().length > 0);
  const w = window as unknown as { __stageProbe?: AudioContext };
  const context = (w.__stageProbe ??= new AudioContext({ sampleRate: 48000 }));
  await context.resume();
  const analyser = context.createAnalyser();
  analyser.fftSize = 8192;
  analyser.smoothingTimeConstant = 0;
  const sources = streams.map((s) => context.createMediaStreamSource(s));
  for (const source of sources) source.connect(analyser);
  const spectrum = new Float32Array(analyser.frequencyBinCount);
  const binHz = context.sampleRate / analyser.fftSize;
  const sums = args.bandsHz.map(() => 0);
  let reads = 0;
  // One whole analyser window of received audio before the first read.
  await new Promise((r) => setTimeout(r, 250));
  const start = performance.now();
  do {
    analyser.getFloatFrequencyData(spectrum);
    args.bandsHz.forEach((hz, b) => {
      const centre = Math.round(hz / binHz);
      let best = -200;
      for (let i = centre - 3; i <= centre + 3; i++) best = Math.max(best, spectrum[i] ?? -200);
      sums[b]! += best;
    });
    reads++;
    await new Promise((r) => setTimeout(r, 100));
  } while (performance.now() - start < args.durationMs);
  for (const source of sources) source.disconnect();
  return sums.map((s) => s / reads);
}

const levelsAt = (page: Page, durationMs = 600) => page.evaluate(bandLevels, { bandsHz: [HOST_HZ, SPEAKER_HZ], durationMs });
/** What the page's Web Audio plays to its speakers (the green room's echo test), at the speaker tone. */
const echoLevel = async (page: Page) => (await page.evaluate(bandLevels, { bandsHz: [SPEAKER_HZ], durationMs: 600, what: 'speakers' as const }))[0]!;

/**
 * Runs in the page before its scripts: every AudioContext's speakers (its destination) become a
 * stream the test can measure, so what the page plays through Web Audio is heard by the test.
 */
function tapSpeakers(): void {
  const taps: MediaStream[] = [];
  (window as unknown as { __speakerTaps: MediaStream[] }).__speakerTaps = taps;
  const tapped = new WeakMap<BaseAudioContext, AudioNode>();
  Object.defineProperty(BaseAudioContext.prototype, 'destination', {
    configurable: true,
    get(this: AudioContext) {
      let tap = tapped.get(this);
      if (!tap) {
        const node = this.createMediaStreamDestination();
        taps.push(node.stream);
        tapped.set(this, (tap = node));
      }
      return tap;
    },
  });
}
const speakerLevel = async (page: Page) => (await levelsAt(page))[1]!;

/** A studio (its browser's microphone plays the host tone), signed in as the demo creator, live. Returns the host page and the listener link. */
async function liveStudio(title: string, serverEnv: Record<string, string> = {}): Promise<{ host: Page; link: string; browser: Browser }> {
  const studio = await startTestStudio(serverEnv);
  cleanups.push(() => studio.close());
  const browser = await launchChromium({ fakeAudioFile: mics.host });
  cleanups.push(() => browser.close());
  return { ...(await openLiveStudio(browser, studio.url, title)), browser };
}

/** Opens the listener page in a new context of `browser` and starts listening. */
async function listen(browser: Browser, link: string, options: { tapSpeakers?: boolean } = {}): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
  if (options.tapSpeakers) await page.addInitScript(tapSpeakers);
  await page.goto(link);
  await page.getByRole('button', { name: /Listen live/ }).click();
  await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toContain('You are listening');
  return page;
}

const ada = DEMO_LISTENERS[0]!;
const bob = DEMO_LISTENERS[1]!;

/** With STAGE_SCREENSHOTS=<folder>, each named moment is saved as a PNG there (to look at the screens). */
async function shot(page: Page, name: string): Promise<void> {
  const folder = process.env['STAGE_SCREENSHOTS'];
  if (folder) await page.screenshot({ path: join(folder, `${name}.png`), fullPage: true });
}

describe('the stage, end to end', { timeout: 120_000 }, () => {
  it('a listener asks to speak, goes through the green room, is heard by another listener; a host mute holds; removed means gone', async () => {
    const { host, link, browser } = await liveStudio('Stage check');
    const speakerBrowser = await launchChromium({ fakeAudioFile: mics.speaker });
    cleanups.push(() => speakerBrowser.close());

    // Bob only listens; the host's tone reaches him, no speaker tone yet.
    const other = await listen(browser, link);
    await expect.poll(async () => (await levelsAt(other))[0]!, { timeout: 15_000 }).toBeGreaterThan(HEARD_DB);

    // Ada listens as a guest; asking to speak asks her to sign in first.
    const speaker = await listen(speakerBrowser, link, { tapSpeakers: true });
    await speaker.getByRole('button', { name: /Ask to speak/ }).click();
    await expect.poll(() => speaker.getByText('Sign in to ask to speak').count()).toBe(1);
    await shot(speaker, 'listener-sign-in');
    await signInOnListenerPage(speaker, ada.handle);
    // Signed in, the request goes out (the sign-in was for it).
    await speaker.getByText('You asked to speak.').waitFor({ timeout: 10_000 });

    // The host sees the request and accepts.
    await host.getByRole('button', { name: `Accept ${ada.displayName}` }).waitFor({ timeout: 10_000 });
    await shot(speaker, 'listener-asked');
    await shot(host, 'studio-request');
    await host.getByRole('button', { name: `Accept ${ada.displayName}` }).click();

    // The green room: the meter moves with her microphone, then she joins muted.
    await speaker.getByRole('heading', { name: 'Green room' }).waitFor({ timeout: 10_000 });
    await speaker.getByRole('button', { name: 'Check my microphone' }).click();
    const meter = speaker.getByRole('meter', { name: 'Your microphone level' });
    await expect.poll(async () => Number(await meter.getAttribute('data-rms-dbfs')), { timeout: 10_000 }).toBeGreaterThan(-40);
    await speaker.getByText('We can hear you.').waitFor();
    await shot(speaker, 'listener-green-room');
    // The echo test: her own voice comes back through her speakers only while it is on.
    await speaker.getByRole('button', { name: 'Hear myself (echo test)' }).click();
    await expect.poll(() => echoLevel(speaker), { timeout: 10_000 }).toBeGreaterThan(HEARD_DB);
    const echoOn = await echoLevel(speaker);
    await speaker.getByRole('button', { name: 'Stop hearing myself' }).click();
    await expect.poll(() => echoLevel(speaker), { timeout: 10_000 }).toBeLessThan(SILENT_DB);
    const echoOff = await echoLevel(speaker);
    console.info(`stage: echo test, her ${SPEAKER_HZ} Hz tone at her speakers: ${echoOn.toFixed(1)} dB on, ${echoOff.toFixed(1)} dB after turning it off`);
    expect(echoOff).toBeLessThan(SILENT_DB);
    await speaker.getByRole('button', { name: 'Join stage' }).click();
    await speaker.getByText(/You are on stage \(speaker\), muted\./).waitFor({ timeout: 15_000 });
    // Muted: Bob hears nothing of her yet.
    const mutedLevel = await speakerLevel(other);
    console.info(`stage: joined muted, the other listener's ${SPEAKER_HZ} Hz band reads ${mutedLevel.toFixed(1)} dB`);
    expect(mutedLevel).toBeLessThan(SILENT_DB);

    // She unmutes: Bob hears her tone, and the studio and Bob's page show her speaking.
    await speaker.getByRole('button', { name: 'Unmute' }).click();
    await speaker.getByText('You are live: everyone hears you.').waitFor({ timeout: 10_000 });
    await expect.poll(() => speakerLevel(other), { timeout: 15_000 }).toBeGreaterThan(HEARD_DB);
    const [hostBand, speakerBand] = await levelsAt(other, 1500);
    console.info(`stage: the other listener hears the host at ${hostBand!.toFixed(1)} dB (${HOST_HZ} Hz) and the speaker at ${speakerBand!.toFixed(1)} dB (${SPEAKER_HZ} Hz)`);
    expect(speakerBand).toBeGreaterThan(HEARD_DB);
    await expect.poll(() => host.locator(`.member[data-speaking="true"]`).filter({ hasText: ada.displayName }).count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => other.locator('.person[data-speaking="true"]').filter({ hasText: ada.displayName }).count(), { timeout: 10_000 }).toBe(1);
    await shot(speaker, 'listener-live');
    await shot(other, 'other-listener');
    await shot(host, 'studio-speaking');

    // The host mutes her: Bob stops hearing her, she is told, and her own unmute is refused by the server.
    await host.getByRole('button', { name: `Mute ${ada.displayName}` }).click();
    await speaker.getByText('The host muted you.').waitFor({ timeout: 10_000 });
    await expect.poll(() => speakerLevel(other), { timeout: 10_000 }).toBeLessThan(SILENT_DB);
    const unmute = speaker.getByRole('button', { name: 'Unmute' });
    expect(await unmute.isDisabled()).toBe(true);
    // Past the disabled button, as a hostile page could: its click handler called directly asks the server, which says no.
    await unmute.evaluate((button) => {
      const props = Object.entries(button).find(([key]) => key.startsWith('__reactProps$'))?.[1] as { onClick?: () => void } | undefined;
      if (!props?.onClick) throw new Error('no click handler on the Unmute button');
      props.onClick();
    });
    await speaker.getByRole('alert').waitFor({ timeout: 10_000 });
    await shot(speaker, 'listener-host-muted');
    console.info(`stage: unmuting past a host mute: "${await speaker.getByRole('alert').textContent()}"`);
    const lockedLevel = await speakerLevel(other);
    console.info(`stage: after the refused unmute, the ${SPEAKER_HZ} Hz band reads ${lockedLevel.toFixed(1)} dB`);
    expect(lockedLevel).toBeLessThan(SILENT_DB);

    // The host removes her: she is told, and the same account cannot come back.
    await host.getByRole('button', { name: `Remove ${ada.displayName}` }).click();
    await host.getByRole('button', { name: 'Yes, remove' }).click();
    await expect.poll(() => speaker.getByRole('status').textContent(), { timeout: 10_000 }).toContain('removed');
    await speaker.reload();
    await speaker.getByRole('button', { name: /Listen live/ }).click();
    await speaker.getByRole('alert').waitFor({ timeout: 10_000 });
    await shot(speaker, 'listener-removed-rejoin');
    console.info(`stage: a removed account coming back: "${await speaker.getByRole('alert').textContent()}"`);
    expect(await speaker.getByRole('status').count()).toBe(0);
    // Bob still hears the host.
    expect((await levelsAt(other))[0]).toBeGreaterThan(HEARD_DB);
  });

  it('reactions: a guest is asked to sign in, a signed-in listener’s reactions reach the studio, a flood is answered politely', async () => {
    const { host, link, browser } = await liveStudio('Reaction check');
    const listener = await listen(browser, link);
    await listener.getByRole('button', { name: 'Applause' }).click();
    await listener.getByText('Sign in to react').waitFor();
    await signInOnListenerPage(listener, bob.handle);
    await listener.getByRole('button', { name: 'Applause' }).click();
    await listener.getByText('You sent Applause.').waitFor({ timeout: 10_000 });
    await listener.getByRole('button', { name: 'Fire' }).click();
    await listener.getByText('You sent Fire.').waitFor({ timeout: 10_000 });
    // The studio gets them in batches (at most one a second) and keeps the totals.
    const totals = host.getByRole('list', { name: 'Reactions so far' });
    await expect.poll(() => totals.textContent(), { timeout: 10_000 }).toMatch(/👏\s*1/);
    await expect.poll(() => totals.textContent(), { timeout: 10_000 }).toMatch(/🔥\s*1/);
    await shot(host, 'studio-reactions');
    // A flood: the server's per-account limit answers, and the page says so kindly.
    for (let i = 0; i < 15; i++) await listener.getByRole('button', { name: 'Love' }).click();
    await listener.getByText('Lots of love! Wait a few seconds before the next reaction.').waitFor({ timeout: 10_000 });
    await shot(listener, 'listener-reaction-flood');
    // Listening went on throughout.
    expect(await listener.getByRole('status').textContent()).toContain('You are listening');

    // The session is kept by the page (localStorage, not a cookie): after a reload the listener is still signed in,
    // and the connection joins signed in (a reaction goes out without the form).
    await listener.reload();
    await listener.getByText(`@${bob.handle}`).waitFor({ timeout: 10_000 });
    expect((await listener.context().cookies()).length).toBe(0);
    expect(await listener.evaluate(() => Object.keys(localStorage))).toContain('spacecraft.listener.session');
    await listener.getByRole('button', { name: /Listen live/ }).click();
    await expect.poll(() => listener.getByRole('status').textContent(), { timeout: 15_000 }).toContain('You are listening');
    // The flood's limit lasts a few seconds: try once a second until a reaction goes through.
    await expect
      .poll(
        async () => {
          await listener.getByRole('button', { name: 'Raised hands' }).click();
          return listener.getByText('You sent Raised hands.').count();
        },
        { timeout: 20_000, interval: 1000 },
      )
      .toBe(1);
    expect(await listener.getByRole('form', { name: 'Sign in' }).count()).toBe(0);
    await expect.poll(() => totals.textContent(), { timeout: 10_000 }).toMatch(/🙌\s*1/);

    // Signing out ends the signed-in connection; the page goes on listening as a guest, and the session is gone.
    await listener.getByRole('button', { name: 'Sign out' }).click();
    await listener.getByText('Listening as a guest').waitFor({ timeout: 10_000 });
    await expect.poll(() => listener.getByRole('status').textContent(), { timeout: 15_000 }).toContain('You are listening');
    expect(await listener.evaluate(() => Object.keys(localStorage))).not.toContain('spacecraft.listener.session');
    await listener.getByRole('button', { name: 'Applause' }).click();
    await listener.getByText('Sign in to react').waitFor();
  });

  it('a co-host studio joins from an invite: its mix reaches listeners, the host can mute it, it cannot end the Space', async () => {
    // The co-host's studio page talks to the host's server: its bridge's origin must be let in there.
    const cohostPort = await freePort();
    const { host, link, browser } = await liveStudio('Co-host check', { SPACECRAFT_ALLOWED_ORIGINS: `http://127.0.0.1:${cohostPort}` });
    const { url: hostServerUrl } = await host.evaluate(() => window.studio.server.getConnection());

    // The host invites @demo_bob from the on-air screen; the code is shown once.
    await host.getByRole('button', { name: 'Invite a co-host' }).click();
    await host.getByLabel("Co-host's handle").fill(bob.handle);
    await host.getByRole('button', { name: 'Create invite' }).click();
    const code = (await host.getByLabel('Invite code', { exact: true }).textContent({ timeout: 10_000 }))!.trim();
    expect(code.length).toBeGreaterThan(10);

    // Bob's own studio, pointed at the host's server, with his own microphone (the speaker tone).
    const cohostStudio = await startBrowserStudio(
      { remote: { url: hostServerUrl }, serverPort: 0, bridgePort: cohostPort, dataDir: mkdtempSync(join(tmpdir(), 'spacecraft-cohost-')), logLevel: 'warn' },
      { logger: pino({ level: 'warn' }), inMemorySettings: true },
    );
    cleanups.push(() => cohostStudio.close());
    const cohostBrowser = await launchChromium({ fakeAudioFile: mics.speaker });
    cleanups.push(() => cohostBrowser.close());
    const cohost = await cohostBrowser.newPage();
    await cohost.goto(cohostStudio.url);
    await signInToStudio(cohost, { handle: bob.handle, password: DEMO_PASSWORD });
    await cohost.getByLabel('Invite code or link').fill(code);
    await cohost.getByRole('button', { name: 'Accept invite' }).click();
    await cohost.getByRole('button', { name: 'Join the stage as co-host' }).click({ timeout: 10_000 });
    await cohost.getByText('● Live: Co-host check').waitFor({ timeout: 15_000 });
    expect(await cohost.getByRole('button', { name: 'End Space' }).count()).toBe(0);
    await cohost.getByRole('button', { name: 'Leave the stage' }).waitFor();
    await shot(cohost, 'cohost-studio');

    // A listener hears both: the host's tone and the co-host's mix.
    const listener = await listen(browser, link);
    await expect.poll(() => speakerLevel(listener), { timeout: 15_000 }).toBeGreaterThan(HEARD_DB);
    const [hostBand, cohostBand] = await levelsAt(listener, 1500);
    console.info(`stage: a listener hears the host at ${hostBand!.toFixed(1)} dB (${HOST_HZ} Hz) and the co-host at ${cohostBand!.toFixed(1)} dB (${SPEAKER_HZ} Hz)`);
    expect(hostBand).toBeGreaterThan(HEARD_DB);
    await host.locator('.member').filter({ hasText: bob.displayName }).filter({ hasText: 'Co-host' }).waitFor({ timeout: 10_000 });
    await shot(host, 'studio-with-cohost');

    // The host mutes the co-host: listeners stop hearing the co-host; the co-host's screen shows the lock.
    await host.getByRole('button', { name: `Mute ${bob.displayName}` }).click();
    await expect.poll(() => speakerLevel(listener), { timeout: 10_000 }).toBeLessThan(SILENT_DB);
    await cohost.locator('.member').filter({ hasText: bob.displayName }).filter({ hasText: 'muted by a host' }).waitFor({ timeout: 10_000 });
  });
});
