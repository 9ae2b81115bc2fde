/** The studio's ticket calls (window.studio.tickets, electron/studio-tickets.ts) as react-query hooks. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { MethodInput } from '../../../../../electron/contract.ts';

const payoutsKey = ['payouts'] as const;
const ticketsKey = (spaceId: string) => ['tickets', spaceId] as const;

export function usePayoutStatus() {
  return useQuery({ queryKey: payoutsKey, queryFn: () => window.studio.tickets.payoutStatus() });
}

export function useConnectPayouts() {
  const client = useQueryClient();
  return useMutation({ mutationFn: () => window.studio.tickets.connectPayouts(), onSuccess: () => client.invalidateQueries({ queryKey: payoutsKey }) });
}

export function useTickets(spaceId: string, enabled: boolean) {
  return useQuery({ queryKey: ticketsKey(spaceId), queryFn: () => window.studio.tickets.get({ spaceId }), enabled, refetchInterval: enabled ? 10_000 : false });
}

export function useSetTickets(spaceId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: Omit<MethodInput<'studio:tickets:set'>, 'spaceId'>) => window.studio.tickets.set({ spaceId, ...input }),
    onSuccess: (data) => client.setQueryData(ticketsKey(spaceId), data),
  });
}

export function useWithdrawTickets(spaceId: string) {
  const client = useQueryClient();
  return useMutation({ mutationFn: () => window.studio.tickets.withdraw({ spaceId }), onSuccess: () => client.invalidateQueries({ queryKey: ticketsKey(spaceId) }) });
}
