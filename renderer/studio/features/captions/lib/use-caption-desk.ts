/** The caption desk of the live Space the studio is in, made in an effect (StrictMode's double mount leaves none behind). */
import { useEffect, useState } from 'react';
import { CaptionDesk, type CaptionLink } from './caption-desk.ts';

export function useCaptionDesk(link: CaptionLink | null): CaptionDesk | null {
  const [desk, setDesk] = useState<CaptionDesk | null>(null);
  useEffect(() => {
    if (!link) return;
    const created = new CaptionDesk(link);
    setDesk(created);
    return () => {
      created.close();
      setDesk(null);
    };
  }, [link]);
  return desk;
}
