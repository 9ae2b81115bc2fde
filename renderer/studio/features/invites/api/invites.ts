import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { MethodInput } from '../../../../../electron/contract.ts';

const invitesKey = (spaceId: string) => ['invites', spaceId] as const;

export function useInvites(spaceId: string, enabled: boolean) {
  return useQuery({ queryKey: invitesKey(spaceId), queryFn: () => window.studio.invites.list({ spaceId }), enabled });
}

export function useCreateInvite(spaceId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: Omit<MethodInput<'studio:invites:create'>, 'spaceId'>) => window.studio.invites.create({ spaceId, ...input }),
    onSuccess: () => client.invalidateQueries({ queryKey: invitesKey(spaceId) }),
  });
}

export function useRevokeInvite(spaceId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (inviteId: string) => window.studio.invites.revoke({ spaceId, inviteId }),
    onSuccess: () => client.invalidateQueries({ queryKey: invitesKey(spaceId) }),
  });
}

export const useAcceptInvite = () => useMutation({ mutationFn: (code: string) => window.studio.invites.accept({ code }) });
