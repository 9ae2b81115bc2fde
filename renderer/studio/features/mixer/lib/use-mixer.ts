/**
 * The mixer's state: read from the settings store, applied to the program mix
 * at once on every change, and saved back (coalesced, so a fader drag is one
 * write, not sixty).
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { DEFAULT_MIXER, type MixerSettings } from '../../../../../electron/contract.ts';
import type { ChannelId, ChannelState } from '../../../../lib/mix/mixer-state.ts';
import type { ProgramMix } from '../../../../lib/program-mix.ts';
import { useSettings, useUpdateSettings } from '../api/settings.ts';

const SAVE_AFTER_MS = 300;

/** `modeOverride`: a mode held from outside (music while a premiere track plays); what is stored stays the host's own, which comes back after. */
export function useMixer(mix: ProgramMix, modeOverride: MixerSettings['mode'] | null = null) {
  const settings = useSettings();
  const update = useUpdateSettings();
  // Until the host changes something, the mixer is what the store holds.
  const [local, setLocal] = useState<MixerSettings | null>(null);
  const stored = local ?? settings.data?.mixer ?? DEFAULT_MIXER;
  const mixer = useMemo(() => (modeOverride && modeOverride !== stored.mode ? { ...stored, mode: modeOverride } : stored), [stored, modeOverride]);
  const current = useRef(stored);
  current.current = stored;
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => mix.setChannels(mixer.channels), [mix, mixer.channels]);
  useEffect(() => mix.setMode(mixer.mode), [mix, mixer.mode]);
  useEffect(() => mix.trackPlayer.setLoop(mixer.track.loop), [mix, mixer.track.loop]);
  useEffect(() => mix.setMicProcessing(mixer.processing), [mix, mixer.processing]);
  useEffect(() => mix.setDucking(mixer.ducking), [mix, mixer.ducking]);
  useEffect(() => () => void (pending.current && clearTimeout(pending.current)), []);

  const change = useCallback(
    (next: MixerSettings) => {
      current.current = next;
      setLocal(next);
      if (pending.current) clearTimeout(pending.current);
      pending.current = setTimeout(() => update.mutate({ mixer: next }), SAVE_AFTER_MS);
    },
    [update],
  );

  const setChannel = useCallback(
    (id: ChannelId, patch: Partial<ChannelState>) => {
      const was = current.current;
      change({ ...was, channels: { ...was.channels, [id]: { ...was.channels[id], ...patch } } });
    },
    [change],
  );
  const setMode = useCallback((mode: MixerSettings['mode']) => change({ ...current.current, mode }), [change]);
  /** Replaces one part of the mixer (the track's loop, the pads, processing, ducking, monitoring). */
  const setPart = useCallback(<K extends Exclude<keyof MixerSettings, 'channels' | 'mode'>>(key: K, value: MixerSettings[K]) => change({ ...current.current, [key]: value }), [change]);

  return { mixer, loaded: settings.isSuccess, setChannel, setMode, setPart, saveError: update.error };
}
