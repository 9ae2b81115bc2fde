import { useEffect, useRef, useState } from 'react';
import type { LevelMeter } from '../../../../lib/level-meter.ts';

const FLOOR = -60;
const percent = (dbfs: number) => `${Math.max(0, Math.min(100, ((dbfs - FLOOR) / -FLOOR) * 100))}%`;

/** A live meter: RMS as the bar, peak as a line, both in dBFS. */
export function LevelMeterBar({ meter, label }: { meter: LevelMeter; label: string }) {
  const [level, setLevel] = useState({ peakDbfs: -100, rmsDbfs: -100 });
  const frame = useRef(0);
  useEffect(() => {
    const tick = () => {
      setLevel(meter.read());
      frame.current = requestAnimationFrame(tick);
    };
    frame.current = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame.current);
  }, [meter]);
  const hot = level.peakDbfs > -3;
  return (
    <div className="meter" role="meter" aria-label={label} aria-valuemin={FLOOR} aria-valuemax={0} aria-valuenow={Math.round(level.rmsDbfs)} data-peak-dbfs={level.peakDbfs.toFixed(1)} data-rms-dbfs={level.rmsDbfs.toFixed(1)}>
      <div className={`meter-fill${hot ? ' hot' : ''}`} style={{ width: percent(level.rmsDbfs) }} />
      <div className="meter-peak" style={{ left: percent(level.peakDbfs) }} />
      <span className="meter-readout">{level.peakDbfs <= -100 ? '−∞' : level.peakDbfs.toFixed(0)} dBFS</span>
    </div>
  );
}
