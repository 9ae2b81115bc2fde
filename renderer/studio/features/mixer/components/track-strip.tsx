import { useEffect, useRef, useState } from 'react';
import { describeError } from '../../../../lib/error-messages.ts';
import { AUDIO_FILES, SingleFileInput } from '../../../../lib/file-input.tsx';
import { openAudioThroughApp } from '../../../../lib/open-audio-file.ts';
import type { ChannelState } from '../../../../lib/mix/mixer-state.ts';
import type { WorkletMeter } from '../../../../lib/program-mix.ts';
import type { TrackPlayer } from '../../../../lib/mix/track-player.ts';
import { isTextTick, onDisplayTick } from '../lib/display-clock.ts';
import { clock, useTrackPlayer } from '../lib/use-track-player.ts';
import { ChannelStrip } from './channel-strip.tsx';
import { Waveform } from './waveform.tsx';

/** The track player's strip: load a file, play/pause, loop, a waveform to seek on, and the usual gain, mute, solo and meter. */
export function TrackStrip(props: {
  player: TrackPlayer;
  meter: WorkletMeter;
  state: ChannelState;
  onChange: (patch: Partial<ChannelState>) => void;
  loop: boolean;
  onLoopChange: (loop: boolean) => void;
}) {
  const { player } = props;
  const { track, playing } = useTrackPlayer(player);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const fileInput = useRef<HTMLInputElement>(null);
  const load = async (name: string, bytes: () => Promise<ArrayBuffer>) => {
    setLoading(true);
    setError(null);
    try {
      await player.load(name, await bytes());
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setLoading(false);
    }
  };
  const choose = async () => {
    setError(null);
    try {
      const opened = await openAudioThroughApp();
      if (opened === 'use-file-input') fileInput.current?.click();
      else if (opened) await load(opened.name, async () => opened.bytes);
    } catch (e) {
      setError(describeError(e));
    }
  };

  return (
    <ChannelStrip name="Track" meterLabel="Track level" meter={props.meter} state={props.state} onChange={props.onChange} keys={{ mute: 'T', solo: 'Shift+T' }}>
      <div className="track-head">
        <button type="button" className={`load${loading ? ' busy' : ''}`} onClick={() => void choose()} disabled={loading}>
          {loading ? 'Loading…' : 'Load…'}
        </button>
        <SingleFileInput ref={fileInput} hidden accept={AUDIO_FILES} label="Load a track" onFile={(file) => void load(file.name, () => file.arrayBuffer())} />
        <span className="track-name" title={track?.name ?? ''}>
          {track ? track.name : 'No track'}
          {track ? <small>{track.channels === 1 ? ' · mono' : ' · stereo'}</small> : null}
        </span>
        <span className="track-time" aria-label="Track time">
          <TrackClock player={player} />
        </span>
      </div>
      <Waveform player={player} label="Track position" />
      <div className="transport">
        <button type="button" className="play" disabled={!track} aria-label={playing ? 'Pause track' : 'Play track'} onClick={() => (playing ? player.pause() : player.play())}>
          {playing ? '❚❚' : '▶'}
        </button>
        <button type="button" className="stop" disabled={!track} aria-label="Back to the start" onClick={() => player.seek(0)}>
          ⏮
        </button>
        <button type="button" className="toggle loop" aria-pressed={props.loop} aria-label="Loop track" title="Loop the track" onClick={() => props.onLoopChange(!props.loop)}>
          ⟳
        </button>
      </div>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </ChannelStrip>
  );
}

/** The play position against the duration, read on the display loop's 10 Hz text ticks while the track plays (re-rendered when the second changes). */
function TrackClock({ player }: { player: TrackPlayer }) {
  const { track, playing } = useTrackPlayer(player);
  const [, setShown] = useState(() => clock(player.position));
  useEffect(() => {
    if (!playing) return;
    return onDisplayTick((_, tick) => {
      if (isTextTick(tick)) setShown(clock(player.position));
    });
  }, [player, playing]);
  return (
    <>
      {clock(player.position)} / {clock(track?.duration ?? 0)}
    </>
  );
}
