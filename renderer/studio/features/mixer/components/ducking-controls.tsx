import { useEffect, useState } from 'react';
import type { MixerSettings } from '../../../../../electron/contract.ts';
import type { ProgramMix } from '../../../../lib/program-mix.ts';
import { isTextTick, onDisplayTick } from '../lib/display-clock.ts';
import { ParamSlider } from './param-slider.tsx';

type Ducking = MixerSettings['ducking'];

/** Ducking of the music (track and pads) under the mic: on/off, depth, the voice level that triggers it, release; and how far it ducks now. */
export function DuckingControls({ mix, ducking, onChange }: { mix: ProgramMix; ducking: Ducking; onChange: (ducking: Ducking) => void }) {
  const [duckDb, setDuckDb] = useState(0);
  useEffect(() => {
    if (!ducking.enabled) return setDuckDb(0);
    // On the display loop's 10 Hz text ticks, with the other readouts (one layout and paint for all).
    return onDisplayTick((_, tick) => {
      if (isTextTick(tick)) setDuckDb(Math.round(mix.duckDb * 10) / 10);
    });
  }, [mix, ducking.enabled]);
  return (
    <section className="ducking" aria-labelledby="ducking-heading">
      <header className="strip-head">
        <h3 id="ducking-heading">
          <label>
            <input type="checkbox" aria-label="Duck music under the voice" checked={ducking.enabled} onChange={(e) => onChange({ ...ducking, enabled: e.target.checked })} /> Ducking
          </label>
        </h3>
        <span className={`badge${duckDb >= 0.5 ? ' on' : ''}`} role="status" aria-label="Music ducked" data-duck-db={duckDb.toFixed(1)}>
          {duckDb >= 0.5 ? `music −${duckDb.toFixed(1)} dB` : 'music at level'}
        </span>
      </header>
      <p className="strip-note">The track and the pads dip while you speak.</p>
      <ParamSlider label="Depth" value={ducking.depthDb} min={0} max={40} step={1} unit="dB" disabled={!ducking.enabled} onChange={(depthDb) => onChange({ ...ducking, depthDb })} />
      <ParamSlider label="Voice threshold" value={ducking.thresholdDb} min={-70} max={0} step={1} unit="dB" disabled={!ducking.enabled} onChange={(thresholdDb) => onChange({ ...ducking, thresholdDb })} />
      <ParamSlider label="Ducking release" value={ducking.releaseMs} min={50} max={5000} step={50} unit="ms" disabled={!ducking.enabled} onChange={(releaseMs) => onChange({ ...ducking, releaseMs })} />
    </section>
  );
}
