import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { MethodInput } from '../../../../../electron/contract.ts';

export const upcomingKey = ['spaces', 'upcoming'] as const;

/** The signed-in host's scheduled and live Spaces, soonest first; refreshed every half minute. */
export function useUpcomingSpaces(enabled: boolean) {
  return useQuery({ queryKey: upcomingKey, queryFn: () => window.studio.spaces.listUpcoming(), enabled, refetchInterval: 30_000 });
}

function useSpacesMutation<I, O>(call: (input: I) => Promise<O>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: call, onSuccess: () => client.invalidateQueries({ queryKey: upcomingKey }) });
}

export const useScheduleSpace = () => useSpacesMutation((input: MethodInput<'studio:spaces:schedule'>) => window.studio.spaces.schedule(input));
export const useEditSpace = () => useSpacesMutation((input: MethodInput<'studio:spaces:edit'>) => window.studio.spaces.edit(input));
export const useCancelSpace = () => useSpacesMutation((input: MethodInput<'studio:spaces:cancel'>) => window.studio.spaces.cancel(input));
