/**
 * The pads' state: the settings' names, gains and clip ids applied to the
 * program's pad bank (clips read from the clip store and decoded when a pad's
 * clip id changes), and loading a new clip onto a pad.
 */
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { MixerSettings } from '../../../../../electron/contract.ts';
import { clipStore, newClipId } from '../../../../lib/mix/clip-store.ts';
import type { ProgramMix } from '../../../../lib/program-mix.ts';

type Pads = MixerSettings['pads'];

export function usePads(mix: ProgramMix, pads: Pads, loaded: boolean, onChange: (pads: Pads) => void) {
  const [, refresh] = useReducer((n: number) => n + 1, 0);
  const [errors, setErrors] = useState<Record<number, string>>({});
  const latest = useRef(pads);
  latest.current = pads;
  useEffect(() => mix.pads.onChange(refresh), [mix]);

  useEffect(() => {
    pads.forEach((pad, i) => mix.pads.setGainDb(i, pad.gainDb));
  }, [mix, pads]);

  // Clips follow the settings once they are loaded (a pad whose clip is gone from the store says so).
  const clipIds = pads.map((p) => p.clipId).join('|');
  useEffect(() => {
    if (!loaded) return;
    let cancelled = false;
    latest.current.forEach((pad, i) => {
      if (pad.clipId === mix.pads.clipOf(i)) return;
      if (!pad.clipId) return mix.pads.clear(i);
      const clipId = pad.clipId;
      void clipStore
        .get(clipId)
        .then(async (clip) => {
          if (cancelled || latest.current[i]?.clipId !== clipId) return;
          if (!clip) throw new Error(`The clip ${pad.clipName ?? ''} is no longer stored: load it again.`);
          await mix.pads.load(i, clipId, clip.name, clip.bytes);
        })
        .catch((e: unknown) => !cancelled && setErrors((all) => ({ ...all, [i]: e instanceof Error ? e.message : String(e) })));
    });
    return () => {
      cancelled = true;
    };
  }, [mix, clipIds, loaded]);

  const setPad = useCallback(
    (index: number, patch: Partial<Pads[number]>) => onChange(latest.current.map((p, i) => (i === index ? { ...p, ...patch } : p))),
    [onChange],
  );

  /** Stores a file's bytes, decodes them onto the pad, and names the pad after the file if it still had its default name. */
  const loadClip = useCallback(
    async (index: number, file: File) => {
      setErrors((all) => ({ ...all, [index]: '' }));
      try {
        const bytes = await file.arrayBuffer();
        const clipId = newClipId();
        await mix.pads.load(index, clipId, file.name, bytes);
        await clipStore.put({ id: clipId, name: file.name, bytes });
        const was = latest.current[index];
        const name = !was || /^Pad \d$/.test(was.name) ? file.name.replace(/\.[^.]+$/, '').slice(0, 40) : was.name;
        setPad(index, { clipId, clipName: file.name.slice(0, 200), name });
        if (was?.clipId) void clipStore.delete(was.clipId).catch(() => undefined);
      } catch (e) {
        mix.pads.clear(index);
        setErrors((all) => ({ ...all, [index]: e instanceof Error ? e.message : String(e) }));
      }
    },
    [mix, setPad],
  );

  const clearClip = useCallback(
    (index: number) => {
      const was = latest.current[index];
      mix.pads.clear(index);
      setPad(index, { clipId: null, clipName: null });
      if (was?.clipId) void clipStore.delete(was.clipId).catch(() => undefined);
    },
    [mix, setPad],
  );

  return { errors, setPad, loadClip, clearClip };
}
