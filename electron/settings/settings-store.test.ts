import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, KeyValueSettingsStore, MemorySettingsStore, type KeyValueStore } from './settings-store.ts';

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
    expect(() => store.update({ spaceTitle: '' })).toThrow();
    expect(() => store.update({ unknown: 1 } as never)).toThrow();
    expect(store.get().microphoneId).toBe('usb-mic');
  });

  it('survives a damaged settings file by falling back to defaults', () => {
    const damaged: KeyValueStore = { store: { microphoneId: 42, spaceTitle: ['x'] }, set: () => undefined };
    expect(new KeyValueSettingsStore(damaged).get()).toEqual(DEFAULT_SETTINGS);
  });
});
