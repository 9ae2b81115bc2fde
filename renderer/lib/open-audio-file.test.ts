// @vitest-environment happy-dom
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { installFakeStudio as InstallFakeStudio } from '../test/fake-studio.ts';

// The module remembers that the app has no dialog: a fresh copy for each test (with the fake
// studio's, so both know the same StudioError).
let installFakeStudio: typeof InstallFakeStudio;
const fresh = async () => (await import('./open-audio-file.ts')).openAudioThroughApp;
beforeEach(async () => {
  vi.resetModules();
  ({ installFakeStudio } = await import('../test/fake-studio.ts'));
});

describe('opening an audio file through the app', () => {
  it('hands over the chosen file as bytes of its own, and null when cancelled', async () => {
    const whole = new Uint8Array([9, 1, 2, 3, 9]);
    const studio = installFakeStudio({ 'studio:files:openAudio': () => ({ ok: true, data: { name: 'a.wav', bytes: whole.subarray(1, 4) } }) });
    const open = await fresh();
    const opened = await open();
    expect(opened).toMatchObject({ name: 'a.wav' });
    expect([...new Uint8Array((opened as { bytes: ArrayBuffer }).bytes)]).toEqual([1, 2, 3]);
    installFakeStudio({ 'studio:files:openAudio': () => ({ ok: true, data: null }) });
    expect(await open()).toBeNull();
    expect(studio.calls.map((c) => c.channel)).toEqual(['studio:files:openAudio']);
  });

  it('in browser mode (UNAVAILABLE) says to use the page’s file input, and asks the app no more', async () => {
    const studio = installFakeStudio({ 'studio:files:openAudio': () => ({ ok: false, error: { code: 'UNAVAILABLE', message: 'no dialog here' } }) });
    const open = await fresh();
    expect(await open()).toBe('use-file-input');
    expect(await open()).toBe('use-file-input');
    expect(studio.calls).toHaveLength(1);
  });

  it('lets any other failure through, and asks again next time', async () => {
    const studio = installFakeStudio({ 'studio:files:openAudio': () => ({ ok: false, error: { code: 'VALIDATION', message: 'too large' } }) });
    const open = await fresh();
    await expect(open()).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(open()).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(studio.calls).toHaveLength(2);
  });
});
