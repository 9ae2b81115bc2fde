/**
 * Live captions end to end (issue #10), with real parts only:
 *
 *   flite WAV → Chromium's fake microphone → the studio (mixer, mediasoup-client) → the server
 *     (SpeakerCaptions → pocketsphinx-lines) → SpaceCaptions → the studio's caption editor
 *     and, after the hold-back, the listener page
 *
 * Chromium loops the WAV: the same sentence comes round every few seconds, each time a new
 * utterance. One studio and one listener page serve the tests in order (word recall, a correction
 * inside the hold-back, vocabulary, pause/resume, an engine killed mid-sentence); a second studio
 * with a bad engine command shows that the Space goes on without captions.
 *
 * The listener page's WebSocket frames are kept: the raw text of a corrected segment must never
 * reach it, and it never gets the studio's drafts.
 */
import { execFileSync } from 'node:child_process';
import type { Browser, Page, WebSocket } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MIXER, type MixerSettings } from '../../electron/contract.ts';
import type { BrowserStudio } from '../../electron/browser-mode/browser-studio.ts';
import { launchChromium } from '../support/chromium.ts';
import { until } from '../support/mixer-studio.ts';
import { captionEngineCommand, requireSpeechTools, speechWav, wordRecall } from '../support/speech.ts';
import { signInToStudio, startTestStudio } from '../support/studio-fixture.ts';

/** Said in a loop; "Zorblax" is in no dictionary until the host adds it. */
const SENTENCE = 'please welcome our guest zorblax to the show tonight';
const KNOWN = SENTENCE.replace(' zorblax', '');
/**
 * Word recall of the released captions against the sentence (without the unknown name): the median
 * over the five lines after the first (the first starts wherever the loop was when the microphone
 * opened). Measured on this path (the studio's voice-mode Opus, flite's rms voice): whole lines
 * score 0.875 ("guests" for "guest" is the one miss of eight; the recogniser alone on clean flite
 * audio has 10–14 % WER for this voice, notes/captions.md); with the two cores ten times
 * oversubscribed (load average 22 from other suites) the engine's voice detection cuts some
 * utterances in pieces and the median fell to 0.625 (lines 0.125–0.875). 0.5 holds on such a
 * machine and still fails when audio is lost or garbled (no words, or unrelated ones, score ~0).
 */
const MIN_RECALL = 0.5;

const MIXER: MixerSettings = {
  ...DEFAULT_MIXER,
  mode: 'voice',
  channels: { ...DEFAULT_MIXER.channels, mic: { gainDb: 0, muted: false, solo: false }, tone: { gainDb: 0, muted: true, solo: false } },
};

type Frame = { notification?: string; data?: { caption?: { id: number; text: string; revision: number } } };
/** A line in the studio's editor; `left`: seconds until it goes out, while held back (its countdown). */
type Segment = { id: number; status: string; released: boolean; text: string; left: number | null };

let engineBin: string;
let wav: string;

beforeAll(() => {
  requireSpeechTools();
  engineBin = captionEngineCommand()[0]!;
  wav = speechWav(SENTENCE, { voice: 'rms', padBefore: 0.5, padAfter: 1.5 });
});

/** A studio whose server runs captions with `engine`, its microphone playing the sentence in a loop, live, and a listener page listening. */
async function liveSpace(engine: string, closers: Array<() => Promise<void>>) {
  const studio: BrowserStudio = await startTestStudio({ SPACECRAFT_CAPTION_ENGINE: engine, SPACECRAFT_CAPTION_HOLD_BACK_MS: '1000' });
  closers.push(() => studio.close());
  const browser: Browser = await launchChromium({ fakeAudioFile: wav });
  closers.push(() => browser.close());
  const host = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await host.goto(studio.url);
  await until('server state', () => host.locator('.topbar [role="status"]').getAttribute('data-state'), (s) => s === 'running', 30_000);
  await host.evaluate((m) => window.studio.settings.update({ mixer: m }), MIXER);
  await host.reload();
  await signInToStudio(host);
  await host.getByLabel('Space title').fill('Captions night');
  await host.getByRole('button', { name: 'Go live' }).click();
  const link = await host.getByLabel('Listener link').inputValue({ timeout: 20_000 });
  const listener = await (await browser.newContext()).newPage();
  const frames: Frame[] = [];
  listener.on('websocket', (ws: WebSocket) =>
    ws.on('framereceived', ({ payload }) => {
      if (typeof payload === 'string') frames.push(JSON.parse(payload) as Frame);
    }),
  );
  await listener.goto(link);
  await listener.getByRole('button', { name: /Listen live/ }).click();
  await until('listener status', () => listener.getByRole('status').first().textContent(), (text) => text?.includes('You are listening') === true, 20_000);
  return { host, listener, frames, editor: host.getByRole('region', { name: 'Captions' }) };
}

/** The studio's segments as the editor shows them. */
function segments(host: Page): Promise<Segment[]> {
  return host.locator('.cap-segment').evaluateAll((items) =>
    items.map((li) => ({
      id: Number((li as HTMLElement).dataset['segment']),
      status: (li as HTMLElement).dataset['status'] ?? '',
      released: (li as HTMLElement).dataset['released'] === 'true',
      text: [...li.querySelectorAll('.cap-word')].map((w) => w.textContent).join(' '),
      left: ((match) => (match ? Number(match[1]) : null))(/goes out in ([\d.]+) s/.exec(li.querySelector('.cap-state')?.textContent ?? '')),
    })),
  );
}

/** The listener page's caption lines (id, text). */
function listenerLines(page: Page): Promise<Array<{ id: number; text: string }>> {
  return page.locator('.cap-lines li[data-caption]').evaluateAll((items) =>
    items.map((li) => ({ id: Number((li as HTMLElement).dataset['caption']), text: li.querySelector('.cap-text')?.textContent ?? '' })),
  );
}

const maxId = (list: Segment[]) => Math.max(0, ...list.map((s) => s.id));

/** The pids of the caption engines this test's processes started (never another test's). */
function enginePids(): number[] {
  const table = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/))
    .filter((m): m is RegExpMatchArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! }));
  const ours = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of table) if (ours.has(p.ppid) && !ours.has(p.pid)) grew = Boolean(ours.add(p.pid));
  }
  return table.filter((p) => ours.has(p.pid) && p.args.startsWith(engineBin)).map((p) => p.pid);
}

describe('live captions', { timeout: 240_000 }, () => {
  const closers: Array<() => Promise<void>> = [];
  let host: Page;
  let listener: Page;
  let frames: Frame[];
  let editor: ReturnType<Page['getByRole']>;

  beforeAll(async () => {
    ({ host, listener, frames, editor } = await liveSpace(engineBin, closers));
  }, 180_000);

  afterAll(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  });

  it('shows the speaker’s captions in the studio as they form and on the listener page after the hold-back, with word recall above the bound', async () => {
    await until('studio lane', () => editor.getByRole('group', { name: /^Captions of / }).count(), (n) => n === 1, 60_000);
    const lines = await until('six caption lines on the listener page', () => listenerLines(listener), (l) => l.length >= 6, 120_000);
    const full = lines.slice(1, 6);
    const recalls = full.map((line) => wordRecall(KNOWN, line.text));
    console.info('caption recall per line', recalls, full.map((l) => l.text));
    expect([...recalls].sort((a, b) => a - b)[2]).toBeGreaterThanOrEqual(MIN_RECALL);
    // The listener page never gets the studio's drafts (raw text, words, what is still held back).
    expect(frames.filter((f) => f.notification === 'captionDraft')).toEqual([]);
    // Speaker names on the listener page.
    expect(await listener.locator('.cap-lines li[data-caption] .cap-speaker').first().textContent()).toMatch(/\S+:/);
  });

  it('a correction inside the hold-back is what listeners get, and the raw text never reaches them', async () => {
    const holdBack = editor.getByLabel('Hold-back (s)');
    await holdBack.fill('8');
    await holdBack.blur();
    const before = maxId(await segments(host));
    // A line finished under the new hold-back, with time to correct it (one finished just before the
    // change keeps the old 1 s, and a loaded machine takes seconds to click, type and save).
    const correctable = (s: Segment) => s.id > before && s.status === 'final' && !s.released && (s.left ?? 0) >= 6;
    const held = await until('a finished line held back', () => segments(host), (list) => list.some(correctable), 60_000).then((list) => list.find(correctable)!);
    const corrected = `Corrected line ${Date.now().toString(36)}`;
    const line = host.locator(`.cap-segment[data-segment="${held.id}"]`);
    await line.locator('.cap-word').first().click();
    await line.getByLabel('Corrected caption').fill(corrected);
    await line.getByRole('button', { name: 'Save' }).click();
    await until(`line ${held.id} on the listener page`, () => listenerLines(listener), (l) => l.some((c) => c.id === held.id), 30_000);
    expect((await listenerLines(listener)).find((c) => c.id === held.id)?.text).toBe(corrected);
    const sent = frames.filter((f) => f.notification === 'caption' && f.data?.caption?.id === held.id).map((f) => f.data!.caption!.text);
    expect(sent.length).toBeGreaterThan(0);
    expect(new Set(sent)).toEqual(new Set([corrected]));
    // Back to a short hold-back for what follows.
    await holdBack.fill('1');
    await holdBack.blur();
  });

  it('a misrecognised name added to the vocabulary is right in the next utterance of the sentence', async () => {
    const heardBefore = (await listenerLines(listener)).map((l) => l.text.toLowerCase());
    expect(heardBefore.some((t) => t.includes('zorblax'))).toBe(false);
    const form = editor.getByRole('form', { name: 'Vocabulary' });
    await form.getByLabel('Word').fill('Zorblax');
    await form.getByRole('button', { name: 'Add word' }).click();
    await form.getByText('Zorblax').waitFor({ timeout: 15_000 });
    const present = new Set((await segments(host)).map((s) => s.id));
    // The next whole sentence (on a loaded machine an utterance is now and then cut in two; a piece without the name's place does not count).
    const whole = (s: Segment) => !present.has(s.id) && s.status === 'final' && /\bwelcome\b/i.test(s.text) && /\bshow\b/i.test(s.text);
    const next = await until('the next utterance of the sentence, finished', () => segments(host), (list) => list.some(whole), 90_000).then(
      (list) => list.filter(whole).sort((a, b) => a.id - b.id)[0]!,
    );
    console.info('after adding the word', next.text);
    expect(next.status).toBe('final');
    expect(next.text.toLowerCase()).toContain('zorblax');
  });

  it('pausing stops captions (listeners are told) and resuming starts them again', async () => {
    await editor.getByRole('button', { name: 'Pause captions' }).click();
    await listener.getByText('The host paused captions.').waitFor({ timeout: 15_000 });
    // What was said before the pause is still captioned (an engine behind real time on a loaded machine
    // finishes its backlog); then captions stop: no new line for two turns of the loop (they come every ~5 s while on).
    let atPause = maxId(await segments(host));
    let quietSince = Date.now();
    const deadline = Date.now() + 60_000;
    while (Date.now() - quietSince < 12_000) {
      if (Date.now() > deadline) throw new Error(`captions did not stop after the pause: line ${atPause} came ${Date.now() - quietSince} ms ago`);
      await new Promise((r) => setTimeout(r, 500));
      const now = maxId(await segments(host));
      if (now !== atPause) [atPause, quietSince] = [now, Date.now()];
    }
    expect(await listener.getByText('The host paused captions.').count()).toBe(1);
    await editor.getByRole('button', { name: 'Resume captions' }).click();
    await listener.getByText('The host paused captions.').waitFor({ state: 'detached', timeout: 15_000 });
    await until('a new line after resuming', () => segments(host), (list) => list.some((s) => s.id > atPause && s.status === 'final'), 60_000);
  });

  it('an engine killed mid-sentence comes back, and captions go on', async () => {
    const before = maxId(await segments(host));
    await until('a line forming', () => segments(host), (list) => list.some((s) => s.status === 'partial'), 60_000);
    const pids = enginePids();
    expect(pids.length).toBe(1);
    process.kill(pids[0]!, 'SIGKILL');
    await until('a new engine', async () => enginePids(), (now) => now.length === 1 && now[0] !== pids[0], 30_000);
    const after = maxId(await segments(host));
    await until('a released line after the restart', () => segments(host), (list) => list.some((s) => s.id > Math.max(before, after) && s.released), 120_000);
    await until('the listener page gets it', () => listenerLines(listener), (l) => l.some((c) => c.id > Math.max(before, after)), 30_000);
    expect(await listener.getByRole('status').first().textContent()).toContain('You are listening');
  });

  it('exports the transcript as WebVTT from the studio', async () => {
    const download = host.waitForEvent('download');
    await editor.getByRole('button', { name: 'Export WebVTT' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^spacecraft-[A-Za-z0-9_-]+\.vtt$/);
  });
});

describe('a bad engine command', { timeout: 180_000 }, () => {
  const closers: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  });

  it('says so clearly in the studio and on the listener page, and the Space goes on without captions', async () => {
    const { listener, editor } = await liveSpace('/nonexistent/caption-engine --model x', closers);
    const alert = editor.getByRole('alert');
    await alert.waitFor({ timeout: 60_000 });
    expect(await alert.textContent()).toContain('/nonexistent/caption-engine --model x');
    await listener.getByText('Captions are not available in this Space right now.').waitFor({ timeout: 15_000 });
    expect(await listener.getByRole('status').first().textContent()).toContain('You are listening');
  });
});
