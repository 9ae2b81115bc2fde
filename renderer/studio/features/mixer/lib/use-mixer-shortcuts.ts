/**
 * The mixer's keyboard shortcuts, anywhere in the studio but in a text field:
 * M / T / P mute the microphone, the track, the pads (with Shift: solo);
 * Space plays or pauses the track; 1–9 play the pads.
 */
import { useEffect, useRef } from 'react';
import type { MixerSettings } from '../../../../../electron/contract.ts';
import type { ChannelId, ChannelState } from '../../../../lib/mix/mixer-state.ts';
import type { ProgramMix } from '../../../../lib/program-mix.ts';

const STRIP_KEYS: Record<string, ChannelId> = { KeyM: 'mic', KeyT: 'track', KeyP: 'pads' };

/** True when a key press belongs to what has focus (typing, a slider, a list), not to the mixer. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'file', 'range'].includes(target.type);
}

export function useMixerShortcuts(deps: { mix: ProgramMix; mixer: MixerSettings; setChannel: (id: ChannelId, patch: Partial<ChannelState>) => void }) {
  const latest = useRef(deps);
  latest.current = deps;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.repeat || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      const { mix, mixer, setChannel } = latest.current;
      const id = STRIP_KEYS[event.code];
      if (id) {
        const state = mixer.channels[id];
        setChannel(id, event.shiftKey ? { solo: !state.solo } : { muted: !state.muted });
        event.preventDefault();
      } else if (/^(Digit|Numpad)[1-9]$/.test(event.code) && !event.shiftKey) {
        if (mix.pads.trigger(Number(event.code.at(-1)) - 1)) event.preventDefault();
      } else if (event.code === 'Space' && !(event.target instanceof HTMLButtonElement) && mix.trackPlayer.track) {
        if (mix.trackPlayer.playing) mix.trackPlayer.pause();
        else mix.trackPlayer.play();
        event.preventDefault();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
