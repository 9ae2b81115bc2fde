import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIXER, DEFAULT_PREMIERE } from '../contract.ts';
import { confSettingsStore, DEFAULT_SETTINGS, KeyValueSettingsStore, MemorySettingsStore, type KeyValueStore } from './settings-store.ts';

describe('settings store', () => {
  it('starts from defaults and keeps updates', () => {
    const store = new MemorySettingsStore();
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    store.update({ microphoneId: 'usb-mic' });
    expect(store.update({ spaceTitle: 'Late show' })).toEqual({ microphoneId: 'usb-mic', spaceTitle: 'Late show', mixer: DEFAULT_MIXER, premiere: DEFAULT_PREMIERE });
    expect(store.get()).toEqual({ microphoneId: 'usb-mic', spaceTitle: 'Late show', mixer: DEFAULT_MIXER, premiere: DEFAULT_PREMIERE });
  });

  it('rejects a bad update and keeps what was stored', () => {
    const store = new MemorySettingsStore({ microphoneId: 'usb-mic' });
    expect(() => store.update({ spaceTitle: '' })).toThrow(/spaceTitle/);
    expect(() => store.update({ unknown: 1 } as never)).toThrow(/unrecognized key/i);
    expect(store.get().microphoneId).toBe('usb-mic');
  });

  it('keeps the good keys of a damaged file and defaults only the bad ones', () => {
    const oneBad: KeyValueStore = { store: { microphoneId: 42, spaceTitle: 'Late show' }, set: () => undefined };
    expect(new KeyValueSettingsStore(oneBad).get()).toEqual({ microphoneId: null, spaceTitle: 'Late show', mixer: DEFAULT_MIXER, premiere: DEFAULT_PREMIERE });
    const otherBad: KeyValueStore = { store: { microphoneId: 'usb-mic', spaceTitle: ['x'] }, set: () => undefined };
    expect(new KeyValueSettingsStore(otherBad).get()).toEqual({ microphoneId: 'usb-mic', spaceTitle: 'My Space', mixer: DEFAULT_MIXER, premiere: DEFAULT_PREMIERE });
  });

  it('falls back to defaults when every key is bad, or the store is not an object', () => {
    const damaged: KeyValueStore = { store: { microphoneId: 42, spaceTitle: ['x'] }, set: () => undefined };
    expect(new KeyValueSettingsStore(damaged).get()).toEqual(DEFAULT_SETTINGS);
    expect(new KeyValueSettingsStore({ store: 'oops' as never, set: () => undefined }).get()).toEqual(DEFAULT_SETTINGS);
  });

  it('keeps the premiere queue; a file from before it, or a damaged one, reads an empty queue and keeps the rest', () => {
    const store = new MemorySettingsStore();
    const queue = [{ id: 't1', title: 'Night Drive', artist: 'The Tones', fileName: 'night-drive.wav' }];
    expect(store.update({ premiere: { queue } }).premiere).toEqual({ queue });
    expect(store.get().premiere).toEqual({ queue });
    expect(new KeyValueSettingsStore({ store: { spaceTitle: 'Late show' }, set: () => undefined }).get()).toMatchObject({ spaceTitle: 'Late show', premiere: DEFAULT_PREMIERE });
    expect(new KeyValueSettingsStore({ store: { spaceTitle: 'Late show', premiere: { queue: 'garbage' } }, set: () => undefined }).get()).toMatchObject({ spaceTitle: 'Late show', premiere: DEFAULT_PREMIERE });
    expect(() => store.update({ premiere: { queue: [{ ...queue[0]!, artwork: 'data:image/jpeg;base64,AAAA' }] } as never })).toThrow();
    expect(store.get().premiere).toEqual({ queue });
  });

  it('an update after a damaged key repairs it and keeps the good ones', () => {
    const store = new MemorySettingsStore({ microphoneId: 42 as never, spaceTitle: 'Late show' });
    expect(store.update({ microphoneId: 'usb-mic' })).toEqual({ microphoneId: 'usb-mic', spaceTitle: 'Late show', mixer: DEFAULT_MIXER, premiere: DEFAULT_PREMIERE });
  });
});

describe('settings store over conf (what browser mode ships)', () => {
  it('persists across instances, in the data directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spacecraft-settings-'));
    confSettingsStore(dir).update({ microphoneId: 'usb-mic', spaceTitle: 'Late show' });
    expect(confSettingsStore(dir).get()).toEqual({ microphoneId: 'usb-mic', spaceTitle: 'Late show', mixer: DEFAULT_MIXER, premiere: DEFAULT_PREMIERE });
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toEqual({ microphoneId: 'usb-mic', spaceTitle: 'Late show', mixer: DEFAULT_MIXER, premiere: DEFAULT_PREMIERE });
  });

  it('survives a file with one bad key, keeping the other', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spacecraft-settings-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ microphoneId: 42, spaceTitle: 'Late show' }));
    const store = confSettingsStore(dir);
    expect(store.get()).toEqual({ microphoneId: null, spaceTitle: 'Late show', mixer: DEFAULT_MIXER, premiere: DEFAULT_PREMIERE });
    store.update({ microphoneId: 'usb-mic' });
    expect(confSettingsStore(dir).get()).toEqual({ microphoneId: 'usb-mic', spaceTitle: 'Late show', mixer: DEFAULT_MIXER, premiere: DEFAULT_PREMIERE });
  });

  it('survives a file that is not JSON at all', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spacecraft-settings-'));
    writeFileSync(join(dir, 'config.json'), '{"microphoneId": "usb-mic", spaceTi');
    const store = confSettingsStore(dir);
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(store.update({ spaceTitle: 'Fresh start' })).toEqual({ microphoneId: null, spaceTitle: 'Fresh start', mixer: DEFAULT_MIXER, premiere: DEFAULT_PREMIERE });
    expect(confSettingsStore(dir).get()).toEqual({ microphoneId: null, spaceTitle: 'Fresh start', mixer: DEFAULT_MIXER, premiere: DEFAULT_PREMIERE });
  });

  it('reads an old file without a mixer, and a mixer with one bad or missing field, keeping the rest', () => {
    const old: KeyValueStore = { store: { microphoneId: 'usb-mic', spaceTitle: 'Old show' }, set: () => undefined };
    expect(new KeyValueSettingsStore(old).get().mixer).toEqual(DEFAULT_MIXER);
    const partly: KeyValueStore = {
      store: { mixer: { mode: 'music', channels: { mic: { gainDb: -6, muted: 'yes', solo: false }, tone: { gainDb: 3 } } } },
      set: () => undefined,
    };
    expect(new KeyValueSettingsStore(partly).get().mixer).toEqual({
      ...DEFAULT_MIXER,
      mode: 'music',
      channels: { ...DEFAULT_MIXER.channels, mic: DEFAULT_MIXER.channels.mic, tone: { ...DEFAULT_MIXER.channels.tone, gainDb: 3 } },
    });
    const badMode: KeyValueStore = { store: { mixer: { mode: 'karaoke', channels: DEFAULT_MIXER.channels } }, set: () => undefined };
    expect(new KeyValueSettingsStore(badMode).get().mixer.mode).toBe('voice');
  });

  it('reads a first-release mixer (mode and mic/tone strips only) with every later field at its default, and keeps a bad later field from spoiling the rest', () => {
    const firstRelease = { mode: 'music', channels: { mic: { gainDb: -6, muted: false, solo: false }, tone: { gainDb: 0, muted: true, solo: false } } };
    const store: KeyValueStore = { store: { mixer: firstRelease }, set: () => undefined };
    expect(new KeyValueSettingsStore(store).get().mixer).toEqual({ ...DEFAULT_MIXER, mode: 'music', channels: { ...DEFAULT_MIXER.channels, mic: firstRelease.channels.mic } });
    const badDucking: KeyValueStore = { store: { mixer: { ...firstRelease, ducking: { enabled: true, depthDb: 400 }, track: { loop: true } } }, set: () => undefined };
    const read = new KeyValueSettingsStore(badDucking).get().mixer;
    expect(read.ducking).toEqual(DEFAULT_MIXER.ducking);
    expect(read.track).toEqual({ loop: true });
    expect(read.channels.mic.gainDb).toBe(-6);
  });

  it('keeps mixer gains and mutes through an update and a reopened file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spacecraft-settings-'));
    const mixer = {
      ...DEFAULT_MIXER,
      mode: 'music' as const,
      channels: { ...DEFAULT_MIXER.channels, mic: { gainDb: -6, muted: true, solo: false }, tone: { gainDb: -12, muted: false, solo: true } },
      ducking: { enabled: true, depthDb: 18, thresholdDb: -35, releaseMs: 900 },
    };
    confSettingsStore(dir).update({ mixer });
    expect(confSettingsStore(dir).get().mixer).toEqual(mixer);
    expect(() => confSettingsStore(dir).update({ mixer: { ...mixer, channels: { ...mixer.channels, mic: { gainDb: 40, muted: false, solo: false } } } })).toThrow(/gainDb/);
  });
});
