import type { Levels } from '../../../../lib/mix/dsp.ts';
import { useLevels } from './use-levels.ts';

const FLOOR = -60;
const position = (dbfs: number) => Math.max(0, Math.min(100, ((dbfs - FLOOR) / -FLOOR) * 100));
const TICKS = [-48, -36, -24, -12, -6, 0];
const show = (dbfs: number) => (dbfs <= FLOOR ? '−∞' : dbfs.toFixed(1).replace('-', '−'));

/** A live meter: RMS as the bar, peak as a line, both in dBFS, with a scale and numeric readouts. */
export function LevelMeterBar({ meter, label }: { meter: { read(): Levels }; label: string }) {
  const level = useLevels(meter);
  const zone = level.peakDbfs > -1.5 ? ' clip' : level.peakDbfs > -9 ? ' hot' : '';
  return (
    <div className="meter-block">
      <div
        className="meter"
        role="meter"
        aria-label={label}
        aria-valuemin={FLOOR}
        aria-valuemax={0}
        aria-valuenow={Math.max(FLOOR, Math.round(level.rmsDbfs))}
        aria-valuetext={`RMS ${show(level.rmsDbfs)} dBFS, peak ${show(level.peakDbfs)} dBFS`}
        data-peak-dbfs={level.peakDbfs.toFixed(1)}
        data-rms-dbfs={level.rmsDbfs.toFixed(1)}
      >
        <div className={`meter-fill${zone}`} style={{ width: `${position(level.rmsDbfs)}%` }} />
        <div className="meter-peak" style={{ left: `${position(level.peakDbfs)}%` }} />
        {TICKS.map((t) => (
          <div key={t} className="meter-tick" style={{ left: `${position(t)}%` }} aria-hidden="true" />
        ))}
      </div>
      <div className="meter-scale" aria-hidden="true">
        {TICKS.map((t) => (
          <span key={t} style={{ left: `${position(t)}%` }}>
            {t}
          </span>
        ))}
      </div>
      <div className="meter-readouts" aria-hidden="true">
        <span>
          Peak <b>{show(level.peakDbfs)}</b>
        </span>
        <span>
          RMS <b>{show(level.rmsDbfs)}</b>
        </span>
        <span className="unit">dBFS</span>
      </div>
    </div>
  );
}
