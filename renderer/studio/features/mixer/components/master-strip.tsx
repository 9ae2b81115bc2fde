import { useEffect, useState } from 'react';
import { LIMITER_CEILING_DBFS, MODE_PROFILES, type MixMode } from '../../../../lib/mix/mixer-state.ts';
import type { ProgramMix } from '../../../../lib/program-mix.ts';
import { isTextTick, onDisplayTick } from '../lib/display-clock.ts';
import { LevelMeterBar } from './level-meter-bar.tsx';

type Codec = ProgramMix['publishedCodec'];
const sameCodec = (a: Codec, b: Codec) => a === b || (a !== null && b !== null && JSON.stringify(a) === JSON.stringify(b));

/** The master: what listeners hear, after the limiter, how hard the limiter works, and how it is published. */
export function MasterStrip({ mix, mode }: { mix: ProgramMix; mode: MixMode }) {
  const [reduction, setReduction] = useState(0);
  const [kbps, setKbps] = useState<number | null>(null);
  const [codec, setCodec] = useState<ProgramMix['publishedCodec']>(null);
  useEffect(() => {
    // On the shared display loop's 10 Hz text ticks (a readout, not a meter); React skips the render when nothing changed.
    return onDisplayTick((_, tick) => {
      if (!isTextTick(tick)) return;
      setReduction(Math.round(mix.limiterReductionDb * 10) / 10);
      setKbps(mix.publishedKbps === null ? null : Math.round(mix.publishedKbps));
      setCodec((was) => (sameCodec(was, mix.publishedCodec) ? was : mix.publishedCodec));
    });
  }, [mix]);
  const limiting = reduction >= 0.1;
  return (
    <section className="strip master" aria-labelledby="strip-master-name">
      <header className="strip-head">
        <h3 id="strip-master-name">Program</h3>
        <span className={`limiter${limiting ? ' active' : ''}`} role="status" aria-label="Limiter" data-reduction-db={reduction.toFixed(1)}>
          Limiter {limiting ? `−${reduction.toFixed(1)} dB` : 'idle'} · ceiling {String(LIMITER_CEILING_DBFS).replace('-', '−')} dBFS
        </span>
      </header>
      <LevelMeterBar meter={mix.masterMeter} label="Program level" />
      {mode === 'music' ? (
        <div className="sides">
          <LevelMeterBar meter={mix.sideMeters.left} label="Program left level" compact="L" />
          <LevelMeterBar meter={mix.sideMeters.right} label="Program right level" compact="R" />
        </div>
      ) : null}
      <p
        className="publishing"
        role="status"
        aria-label="Publishing"
        data-kbps={kbps ?? ''}
        data-codec={codec ? `${codec.mimeType}/${codec.clockRate}/${codec.channels}` : ''}
        data-fmtp={codec ? Object.entries(codec.parameters).map(([k, v]) => `${k}=${String(v)}`).sort().join(';') : ''}
      >
        {mode === 'music' ? 'Stereo' : 'Mono'} · Opus {MODE_PROFILES[mode].maxBitrate / 1000} kbps
        {mode === 'voice' ? ' · speech band' : ' · full band'}
        {kbps === null ? ' · not on air' : ` · sending ${kbps} kbps`}
      </p>
    </section>
  );
}
