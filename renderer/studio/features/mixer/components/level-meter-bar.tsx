import { useLayoutEffect, useRef } from 'react';
import type { Levels } from '../../../../lib/mix/dsp.ts';
import { isTextTick, onDisplayTick } from '../lib/display-clock.ts';
import { MeterPainter, METER_FLOOR_DBFS, METER_TICKS, meterFraction, showTick } from '../lib/meter-painter.ts';

/**
 * A live meter: RMS as the bar (green, amber from −18, red from −6 dBFS), the
 * peak as a line that holds its highest value for 1.5 s, a scale and numeric
 * readouts. `data-peak-dbfs` / `data-rms-dbfs` carry the latest measured values.
 *
 * React draws the frame once; the levels are painted by a `MeterPainter` on the
 * shared 30 Hz display loop (one canvas per meter), so no meter report
 * re-renders anything; their text on its 10 Hz text ticks, all meters on the same frame.
 */
export function LevelMeterBar({ meter, label, compact }: { meter: { read(): Levels }; label: string; /** Only the bar, with this short name beside it (e.g. "L"). */ compact?: string }) {
  const meterRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const peakRef = useRef<HTMLElement>(null);
  const rmsRef = useRef<HTMLElement>(null);
  const overRef = useRef<HTMLSpanElement>(null);

  useLayoutEffect(() => {
    const element = meterRef.current;
    const canvas = canvasRef.current;
    if (!element) return;
    const painter = new MeterPainter({ meter: element, canvas, peakText: peakRef.current, rmsText: rmsRef.current, overMark: overRef.current });
    painter.update(meter.read(), performance.now(), true);
    let observer: ResizeObserver | null = null;
    if (canvas && typeof ResizeObserver === 'function') {
      observer = new ResizeObserver(([entry]) => {
        const box = entry?.devicePixelContentBoxSize?.[0];
        const ratio = window.devicePixelRatio || 1;
        if (box) painter.resize(box.inlineSize, box.blockSize);
        else if (entry) painter.resize(entry.contentRect.width * ratio, entry.contentRect.height * ratio);
        painter.update(meter.read(), performance.now());
      });
      observer.observe(canvas);
    }
    const stop = onDisplayTick((now, tick) => painter.update(meter.read(), now, isTextTick(tick)));
    return () => {
      stop();
      observer?.disconnect();
    };
  }, [meter]);

  const bar = (
    <div ref={meterRef} className="meter" role="meter" aria-label={label} aria-valuemin={METER_FLOOR_DBFS} aria-valuemax={0}>
      <canvas ref={canvasRef} className="meter-canvas" aria-hidden="true" />
    </div>
  );
  if (compact !== undefined) {
    return (
      <div className="meter-block compact">
        <span className="meter-side" aria-hidden="true">
          {compact}
        </span>
        {bar}
        <span ref={peakRef} className="meter-side-value" aria-hidden="true" />
      </div>
    );
  }
  return (
    <div className="meter-block">
      {bar}
      <div className="meter-scale" aria-hidden="true">
        {METER_TICKS.map((t) => (
          <span key={t} style={{ left: `${meterFraction(t) * 100}%` }}>
            {showTick(t)}
          </span>
        ))}
      </div>
      <div className="meter-readouts" aria-hidden="true">
        <span ref={overRef}>
          Peak <b ref={peakRef} />
        </span>
        <span>
          RMS <b ref={rmsRef} />
        </span>
        <span className="unit">dBFS</span>
      </div>
    </div>
  );
}
