/** The bundled server's Stripe keys (window.studio.stripe, electron/studio-stripe-keys.ts) as react-query hooks. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { MethodInput, StripeKeysStatus } from '../../../../../electron/contract.ts';

const stripeKeysKey = ['stripe-keys'] as const;

export function useStripeKeys() {
  return useQuery({ queryKey: stripeKeysKey, queryFn: () => window.studio.stripe.getKeys() });
}

/** Saving or removing restarts the server: everything it answered before (payouts, tickets) is asked again. */
function useKeysChange<I>(change: (input: I) => Promise<StripeKeysStatus>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: change,
    onSuccess: (status) => {
      client.setQueryData(stripeKeysKey, status);
      void client.invalidateQueries({ predicate: (query) => query.queryKey[0] !== stripeKeysKey[0] });
    },
  });
}

export function useSaveStripeKeys() {
  return useKeysChange((keys: MethodInput<'studio:stripe:saveKeys'>) => window.studio.stripe.saveKeys(keys));
}

export function useRemoveStripeKeys() {
  return useKeysChange(() => window.studio.stripe.removeKeys());
}
