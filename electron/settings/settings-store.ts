/**
 * Where the studio keeps its settings. The app uses electron-store; browser
 * mode and tests use `conf` (electron-store is built on it) or memory.
 * `electron-store` imports `electron` at load time: only electron/main imports it.
 * Both are opened with `clearInvalidConfig`, so a file that is not JSON reads
 * as empty instead of stopping the studio.
 */
import Conf from 'conf';
import { safeParse } from '../../server/lib/safe-parse.ts';
import type { z } from 'zod';
import { storedSessionSchema, type SessionKeeper, type StoredSession } from '../studio-account.ts';
import { channelSettingsSchema, DEFAULT_MIXER, DEFAULT_PREMIERE, mixerSettingsSchema, settingsPatchSchema, settingsSchema, type MixerSettings, type Settings } from '../contract.ts';

export interface SettingsStore extends SessionKeeper {
  get(): Settings;
  update(patch: SettingsPatch): Settings;
}

/** What `update` takes: any subset of the settings, as the contract's patch schema reads it. */
export type SettingsPatch = z.input<typeof settingsPatchSchema>;

/** The signed-in session lives beside the settings, never in what `settings:get` returns. */
const SESSION_KEY = 'accountSession';

export const DEFAULT_SETTINGS: Settings = { microphoneId: null, spaceTitle: 'My Space', mixer: DEFAULT_MIXER, premiere: DEFAULT_PREMIERE };

/** A stored mixer read field by field: a file from before a field existed, or with one bad channel or field, keeps the rest. */
function tolerantMixer(raw: unknown): MixerSettings {
  const whole = safeParse(mixerSettingsSchema, raw);
  if (whole.success) return whole.data;
  const stored = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const storedChannels = typeof stored['channels'] === 'object' && stored['channels'] !== null ? (stored['channels'] as Record<string, unknown>) : {};
  const channel = (id: keyof MixerSettings['channels']) => {
    const parsed = safeParse(channelSettingsSchema, { ...DEFAULT_MIXER.channels[id], ...(storedChannels[id] as object | undefined) });
    return parsed.success ? parsed.data : DEFAULT_MIXER.channels[id];
  };
  const mixer: Record<string, unknown> = { ...DEFAULT_MIXER };
  for (const [key, field] of Object.entries(mixerSettingsSchema.shape)) {
    if (key === 'channels' || !Object.hasOwn(stored, key)) continue;
    const parsed = safeParse(field, stored[key]);
    if (parsed.success) mixer[key] = parsed.data;
  }
  const ids = Object.keys(DEFAULT_MIXER.channels) as Array<keyof MixerSettings['channels']>;
  mixer['channels'] = Object.fromEntries(ids.map((id) => [id, channel(id)]));
  return mixer as MixerSettings;
}

/** What electron-store and conf have in common. */
export type KeyValueStore = { store: Record<string, unknown>; set(values: Record<string, unknown>): void };

export class KeyValueSettingsStore implements SettingsStore {
  readonly #store: KeyValueStore;

  constructor(store: KeyValueStore) {
    this.#store = store;
  }

  get(): Settings {
    // A damaged or older file never breaks the studio: each bad key falls back to its default, good keys stay.
    const stored: unknown = this.#store.store;
    const raw = typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {};
    const settings: Record<string, unknown> = { ...DEFAULT_SETTINGS };
    for (const [key, field] of Object.entries(settingsSchema.shape)) {
      if (!Object.hasOwn(raw, key)) continue;
      if (key === 'mixer') {
        settings[key] = tolerantMixer(raw[key]);
        continue;
      }
      const parsed = safeParse(field, raw[key]);
      if (parsed.success) settings[key] = parsed.data;
    }
    return settings as Settings;
  }

  update(patch: SettingsPatch): Settings {
    // A key sent as undefined (Electron's IPC keeps it) changes nothing, like a key left out.
    const changes = Object.entries(settingsPatchSchema.parse(patch)).filter(([, value]) => value !== undefined);
    const next = settingsSchema.parse({ ...this.get(), ...Object.fromEntries(changes) });
    this.#store.set(next);
    return next;
  }

  getSession(): StoredSession | null {
    const parsed = safeParse(storedSessionSchema, this.#store.store[SESSION_KEY]);
    return parsed.success ? parsed.data : null;
  }

  setSession(session: StoredSession | null): void {
    this.#store.set({ [SESSION_KEY]: session });
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

/** Settings in `<dir>/config.json` through `conf` (browser mode). */
export function confSettingsStore(dir: string): KeyValueSettingsStore {
  return new KeyValueSettingsStore(new Conf({ projectName: 'spacecraft', cwd: dir, clearInvalidConfig: true }) as unknown as KeyValueStore);
}
