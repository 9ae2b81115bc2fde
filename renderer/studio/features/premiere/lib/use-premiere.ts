/**
 * The studio's premiere for as long as the app is mounted, told about the live
 * Space the app passes. Created inside the effect, so React's StrictMode double
 * mount leaves no controller behind. The queue is kept across restarts
 * (queue-keeper.ts): restored as the controller is made, saved on each change.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import { MAX_PREMIERE_QUEUE } from '../../../../../electron/contract.ts';
import { PremiereController, type NowPlayingLink, type PremierePlayer, type PremiereState } from './premiere-controller.ts';
import { IndexedDbTrackStore, QueueKeeper } from './queue-keeper.ts';

const NOTHING: PremiereState = { queue: [], current: null, playing: false, loading: null, played: [], error: null, told: 'not-live' };
const noSubscription = () => () => undefined;

export function usePremiere(player: PremierePlayer, link: NowPlayingLink | null) {
  const [controller, setController] = useState<PremiereController | null>(null);
  useEffect(() => {
    const created = new PremiereController(player);
    setController(created);
    const keeper = new QueueKeeper(window.studio.settings, new IndexedDbTrackStore());
    let cancelled = false;
    let stopSaving = () => undefined as unknown;
    const keep = () => {
      if (!cancelled) stopSaving = created.subscribe((state) => void keeper.save(state.queue));
    };
    keeper
      .restore()
      .then((entries) => {
        if (cancelled) return;
        for (const entry of entries) if (created.state.queue.length < MAX_PREMIERE_QUEUE) created.add(entry);
        keep();
      })
      // Storage that cannot be read: the queue starts empty and is saved from now on.
      .catch(keep);
    return () => {
      cancelled = true;
      stopSaving();
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
