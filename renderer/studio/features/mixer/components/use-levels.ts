import { useEffect, useState } from 'react';
import type { Levels } from '../../../../lib/mix/dsp.ts';

type Readable = { read(): Levels };

/** The latest levels of a meter, re-read once per animation frame (the worklet posts at display rate). */
export function useLevels(meter: Readable): Levels {
  const [levels, setLevels] = useState<Levels>(() => meter.read());
  useEffect(() => {
    let frame = 0;
    const tick = () => {
      const next = meter.read();
      setLevels((current) => (current.peakDbfs === next.peakDbfs && current.rmsDbfs === next.rmsDbfs ? current : next));
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [meter]);
  return levels;
}
