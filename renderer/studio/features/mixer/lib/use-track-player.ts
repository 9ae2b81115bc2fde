/** The track player's state for components: re-rendered on every change (load, play, pause, seek, loop, end). */
import { useEffect, useReducer } from 'react';
import type { TrackPlayer } from '../../../../lib/mix/track-player.ts';

export function useTrackPlayer(player: TrackPlayer) {
  const [, refresh] = useReducer((n: number) => n + 1, 0);
  useEffect(() => player.onChange(refresh), [player]);
  return { track: player.track, playing: player.playing, loop: player.loop };
}

/** "m:ss" (or "h:mm:ss") of a number of seconds. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
