/**
 * Where the studio keeps its settings. The app uses electron-store; browser
 * mode and tests use `conf` (electron-store is built on it) or memory.
 * `electron-store` imports `electron` at load time: only electron/main imports it.
 */
import { settingsPatchSchema, settingsSchema, type Settings } from '../contract.ts';

export interface SettingsStore {
  get(): Settings;
  update(patch: Partial<Settings>): Settings;
}

export const DEFAULT_SETTINGS: Settings = { microphoneId: null, spaceTitle: 'My Space' };

/** What electron-store and conf have in common. */
export type KeyValueStore = { store: Record<string, unknown>; set(values: Record<string, unknown>): void };

export class KeyValueSettingsStore implements SettingsStore {
  readonly #store: KeyValueStore;

  constructor(store: KeyValueStore) {
    this.#store = store;
  }

  get(): Settings {
    // A damaged or older file never breaks the studio: bad keys fall back to defaults.
    const stored = settingsSchema.partial().safeParse(this.#store.store);
    return { ...DEFAULT_SETTINGS, ...(stored.success ? stored.data : {}) };
  }

  update(patch: Partial<Settings>): Settings {
    const next = settingsSchema.parse({ ...this.get(), ...settingsPatchSchema.parse(patch) });
    this.#store.set(next);
    return next;
  }
}

export class MemorySettingsStore extends KeyValueSettingsStore {
  constructor(initial: Partial<Settings> = {}) {
    const memory: KeyValueStore = {
      store: { ...initial },
      set(values) {
        memory.store = { ...memory.store, ...values };
      },
    };
    super(memory);
  }
}
