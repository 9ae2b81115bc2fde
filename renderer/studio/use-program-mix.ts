/**
 * The studio's program mix for as long as the app is mounted: created when it
 * mounts, closed (its AudioContext with it) when it unmounts. Created inside
 * the effect, so React's StrictMode double mount leaves no mix behind.
 */
import { useEffect, useState } from 'react';
import { ProgramMix } from '../lib/program-mix.ts';

type Mix = Pick<ProgramMix, 'close'>;

export function useProgramMix<M extends Mix = ProgramMix>(create: () => M = () => new ProgramMix() as unknown as M): M | null {
  const [mix, setMix] = useState<M | null>(null);
  useEffect(() => {
    const created = create();
    setMix(created);
    return () => {
      created.close();
      setMix(null);
    };
    // `create` is a factory used once per mount.
  }, []);
  return mix;
}
