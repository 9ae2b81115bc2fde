/**
 * The studio's premiere for as long as the app is mounted, told about the live
 * Space the app passes. Created inside the effect, so React's StrictMode double
 * mount leaves no controller behind.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import { PremiereController, type NowPlayingLink, type PremierePlayer, type PremiereState } from './premiere-controller.ts';

const NOTHING: PremiereState = { queue: [], current: null, playing: false, loading: null, played: [], error: null, told: 'not-live' };
const noSubscription = () => () => undefined;

export function usePremiere(player: PremierePlayer, link: NowPlayingLink | null) {
  const [controller, setController] = useState<PremiereController | null>(null);
  useEffect(() => {
    const created = new PremiereController(player);
    setController(created);
    return () => {
      created.close();
      setController(null);
    };
  }, [player]);
  useEffect(() => controller?.setLink(link), [controller, link]);
  const state = useSyncExternalStore(
    controller ? (onChange) => controller.subscribe(onChange) : noSubscription,
    () => controller?.state ?? NOTHING,
  );
  return { controller, state };
}
