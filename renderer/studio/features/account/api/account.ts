import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { MethodInput, StudioAccount } from '../../../../../electron/contract.ts';

export const accountKey = ['account'] as const;

/**
 * The studio's signed-in account on its server (null: signed out). Checked again whenever the
 * server is running again after a restart: a server that lost the session (its database was
 * replaced) signs the studio out, and the sign-in screen comes back instead of a stale account.
 */
export function useAccount() {
  const client = useQueryClient();
  useEffect(
    () =>
      window.studio.server.onStatusChanged((status) => {
        if (status.state === 'running') void client.invalidateQueries({ queryKey: accountKey });
      }),
    [client],
  );
  return useQuery({ queryKey: accountKey, queryFn: () => window.studio.account.get(), retry: 2, retryDelay: 1000 });
}

function useAccountMutation<I>(call: (input: I) => Promise<StudioAccount | null>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: call, onSuccess: (account) => client.setQueryData(accountKey, account) });
}

export const useSignIn = () => useAccountMutation((input: MethodInput<'studio:account:signIn'>) => window.studio.account.signIn(input));
export const useSignUp = () => useAccountMutation((input: MethodInput<'studio:account:signUp'>) => window.studio.account.signUp(input));
export const useSignOut = () => useAccountMutation(() => window.studio.account.signOut());
