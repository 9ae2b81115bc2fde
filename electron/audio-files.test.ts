/** Opening a track in the app: the dialog's choice read by main, bounded, with typed errors; through the dispatcher as the renderer calls it. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SpacecraftError } from '../server/errors.ts';
import { openAudioFile, readAudioFile, type AudioFileDialog } from './audio-files.ts';
import { createDispatcher } from './ipc/dispatcher.ts';
import { MemorySettingsStore } from './settings/settings-store.ts';
import { createStudioServices } from './studio-services.ts';

const dir = mkdtempSync(join(tmpdir(), 'spacecraft-audio-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, bytes: Uint8Array | string) => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};
const chooses = (path: string | null): AudioFileDialog & { asked: readonly string[][] } => {
  const asked: string[][] = [];
  return { asked, choose: async (extensions) => (asked.push([...extensions]), path) };
};
const codeOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return error instanceof SpacecraftError ? error.code : String(error);
  }
};

describe('opening an audio file', () => {
  it('reads the chosen file’s name and bytes, offering only audio files in the dialog', async () => {
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i % 256);
    const dialog = chooses(file('Night Drive.wav', bytes));
    const opened = await openAudioFile(dialog)();
    expect(opened?.name).toBe('Night Drive.wav');
    expect(Array.from(opened!.bytes)).toEqual(Array.from(bytes));
    expect(dialog.asked[0]).toContain('mp3');
    expect(dialog.asked[0]).toContain('flac');
  });

  it('answers null when the host cancels, and UNAVAILABLE where there is no dialog (browser mode)', async () => {
    expect(await openAudioFile(chooses(null))()).toBeNull();
    expect(await codeOf(openAudioFile(null)())).toBe('UNAVAILABLE');
  });

  it('refuses a file over the size bound, a file that is not audio, a folder and a missing file, each with its code', async () => {
    expect(await codeOf(readAudioFile(file('long.flac', new Uint8Array(2049)), 2048))).toBe('LIMIT_EXCEEDED');
    expect(await codeOf(readAudioFile(file('exactly.flac', new Uint8Array(2048)), 2048))).toBe('resolved');
    expect(await codeOf(readAudioFile(file('notes.txt', 'hello')))).toBe('VALIDATION');
    const folder = join(dir, 'album.mp3');
    mkdirSync(folder);
    expect(await codeOf(readAudioFile(folder))).toBe('VALIDATION');
    expect(await codeOf(readAudioFile(join(dir, 'gone.wav')))).toBe('NOT_FOUND');
  });

  it('crosses the IPC dispatcher as bytes, and as a typed error in browser mode', async () => {
    const path = file('jingle.ogg', Uint8Array.of(79, 103, 103, 83));
    const services = (audioFiles: AudioFileDialog | null) => createStudioServices({ settings: new MemorySettingsStore(), supervisor: null, remote: { url: 'http://127.0.0.1:9' }, audioFiles });
    const inApp = await createDispatcher(services(chooses(path)).handlers)('studio:files:openAudio', undefined);
    expect(inApp).toEqual({ ok: true, data: { name: 'jingle.ogg', bytes: Uint8Array.of(79, 103, 103, 83) } });
    const inBrowser = await createDispatcher(services(null).handlers)('studio:files:openAudio', undefined);
    expect(inBrowser).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
  });
});
