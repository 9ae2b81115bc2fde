import { useRef } from 'react';
import type { Levels } from '../../../../lib/mix/dsp.ts';
import { useLevels } from './use-levels.ts';

const FLOOR = -60;
const position = (dbfs: number) => Math.max(0, Math.min(100, ((dbfs - FLOOR) / -FLOOR) * 100));
const TICKS = [-48, -36, -24, -12, -6, 0];
const signed = (n: number, digits: number) => `${n > 0 ? '+' : ''}${n.toFixed(digits)}`.replace('-', '−');
const show = (dbfs: number) => (dbfs <= FLOOR ? '−∞' : signed(dbfs, 1));
/** How long the peak line holds its highest value before following the signal down. */
const PEAK_HOLD_MS = 1500;

/**
 * A live meter: RMS as the bar (green, amber from −18, red from −6 dBFS), the
 * peak as a line that holds its highest value for 1.5 s, a scale and numeric
 * readouts. `data-peak-dbfs` / `data-rms-dbfs` carry the latest measured values.
 */
export function LevelMeterBar({ meter, label, compact }: { meter: { read(): Levels }; label: string; /** Only the bar, with this short name beside it (e.g. "L"). */ compact?: string }) {
  const level = useLevels(meter);
  const hold = useRef({ dbfs: -100, at: 0 });
  const now = performance.now();
  if (level.peakDbfs >= hold.current.dbfs || now - hold.current.at > PEAK_HOLD_MS) hold.current = { dbfs: level.peakDbfs, at: now };
  const over = level.peakDbfs > 0;
  const bar = (
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
      <div className="meter-scale-colours" />
      {/* Moved by transforms, not by left: the compositor shifts them without laying out or repainting the strip. */}
      <div className="meter-cover" style={{ transform: `scaleX(${(1 - position(level.rmsDbfs) / 100).toFixed(4)})` }} />
      <div className="meter-peak-track" style={{ transform: `translateX(${position(hold.current.dbfs).toFixed(2)}%)` }}>
        <div className={`meter-peak${hold.current.dbfs > -6 ? ' hot' : ''}`} />
      </div>
      {TICKS.map((t) => (
        <div key={t} className="meter-tick" style={{ left: `${position(t)}%` }} aria-hidden="true" />
      ))}
    </div>
  );
  if (compact !== undefined) {
    return (
      <div className="meter-block compact">
        <span className="meter-side" aria-hidden="true">
          {compact}
        </span>
        {bar}
        <span className="meter-side-value" aria-hidden="true">
          {show(level.peakDbfs)}
        </span>
      </div>
    );
  }
  return (
    <div className="meter-block">
      {bar}
      <div className="meter-scale" aria-hidden="true">
        {TICKS.map((t) => (
          <span key={t} style={{ left: `${position(t)}%` }}>
            {signed(t, 0)}
          </span>
        ))}
      </div>
      <div className="meter-readouts" aria-hidden="true">
        <span className={over ? 'over' : ''}>
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
