import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { MethodInput, StudioAccount } from '../../../../../electron/contract.ts';

export const accountKey = ['account'] as const;

/** The studio's signed-in account on its server (null: signed out). Checked again when the server comes back. */
export function useAccount() {
  return useQuery({ queryKey: accountKey, queryFn: () => window.studio.account.get(), retry: 2, retryDelay: 1000 });
}

function useAccountMutation<I>(call: (input: I) => Promise<StudioAccount | null>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: call, onSuccess: (account) => client.setQueryData(accountKey, account) });
}

export const useSignIn = () => useAccountMutation((input: MethodInput<'studio:account:signIn'>) => window.studio.account.signIn(input));
export const useSignUp = () => useAccountMutation((input: MethodInput<'studio:account:signUp'>) => window.studio.account.signUp(input));
export const useSignOut = () => useAccountMutation(() => window.studio.account.signOut());
