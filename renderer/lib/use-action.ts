/**
 * One action at a time from a component's buttons: busy while it runs (the
 * buttons disable themselves), and its failure kept to show until the next
 * action starts. Shared by the listener page and the studio.
 */
import { useState } from 'react';

export type Action = { busy: boolean; error: unknown; run: (action: () => Promise<void>) => void };

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    action()
      .catch(setError)
      .finally(() => setBusy(false));
  };
  return { busy, error, run };
}
