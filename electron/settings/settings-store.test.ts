import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { confSettingsStore, DEFAULT_SETTINGS, KeyValueSettingsStore, MemorySettingsStore, type KeyValueStore } from './settings-store.ts';

describe('settings store', () => {
  it('starts from defaults and keeps updates', () => {
    const store = new MemorySettingsStore();
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    store.update({ microphoneId: 'usb-mic' });
    expect(store.update({ spaceTitle: 'Late show' })).toEqual({ microphoneId: 'usb-mic', spaceTitle: 'Late show' });
    expect(store.get()).toEqual({ microphoneId: 'usb-mic', spaceTitle: 'Late show' });
  });

  it('rejects a bad update and keeps what was stored', () => {
    const store = new MemorySettingsStore({ microphoneId: 'usb-mic' });
    expect(() => store.update({ spaceTitle: '' })).toThrow(/spaceTitle/);
    expect(() => store.update({ unknown: 1 } as never)).toThrow(/unrecognized key/i);
    expect(store.get().microphoneId).toBe('usb-mic');
  });

  it('keeps the good keys of a damaged file and defaults only the bad ones', () => {
    const oneBad: KeyValueStore = { store: { microphoneId: 42, spaceTitle: 'Late show' }, set: () => undefined };
    expect(new KeyValueSettingsStore(oneBad).get()).toEqual({ microphoneId: null, spaceTitle: 'Late show' });
    const otherBad: KeyValueStore = { store: { microphoneId: 'usb-mic', spaceTitle: ['x'] }, set: () => undefined };
    expect(new KeyValueSettingsStore(otherBad).get()).toEqual({ microphoneId: 'usb-mic', spaceTitle: 'My Space' });
  });

  it('falls back to defaults when every key is bad, or the store is not an object', () => {
    const damaged: KeyValueStore = { store: { microphoneId: 42, spaceTitle: ['x'] }, set: () => undefined };
    expect(new KeyValueSettingsStore(damaged).get()).toEqual(DEFAULT_SETTINGS);
    expect(new KeyValueSettingsStore({ store: 'oops' as never, set: () => undefined }).get()).toEqual(DEFAULT_SETTINGS);
  });

  it('an update after a damaged key repairs it and keeps the good ones', () => {
    const store = new MemorySettingsStore({ microphoneId: 42 as never, spaceTitle: 'Late show' });
    expect(store.update({ microphoneId: 'usb-mic' })).toEqual({ microphoneId: 'usb-mic', spaceTitle: 'Late show' });
  });
});

describe('settings store over conf (what browser mode ships)', () => {
  it('persists across instances, in the data directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spacecraft-settings-'));
    confSettingsStore(dir).update({ microphoneId: 'usb-mic', spaceTitle: 'Late show' });
    expect(confSettingsStore(dir).get()).toEqual({ microphoneId: 'usb-mic', spaceTitle: 'Late show' });
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toEqual({ microphoneId: 'usb-mic', spaceTitle: 'Late show' });
  });

  it('survives a file with one bad key, keeping the other', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spacecraft-settings-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ microphoneId: 42, spaceTitle: 'Late show' }));
    const store = confSettingsStore(dir);
    expect(store.get()).toEqual({ microphoneId: null, spaceTitle: 'Late show' });
    store.update({ microphoneId: 'usb-mic' });
    expect(confSettingsStore(dir).get()).toEqual({ microphoneId: 'usb-mic', spaceTitle: 'Late show' });
  });

  it('survives a file that is not JSON at all', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spacecraft-settings-'));
    writeFileSync(join(dir, 'config.json'), '{"microphoneId": "usb-mic", spaceTi');
    const store = confSettingsStore(dir);
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(store.update({ spaceTitle: 'Fresh start' })).toEqual({ microphoneId: null, spaceTitle: 'Fresh start' });
    expect(confSettingsStore(dir).get()).toEqual({ microphoneId: null, spaceTitle: 'Fresh start' });
  });
});
