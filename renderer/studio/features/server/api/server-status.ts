import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';

export const serverStatusKey = ['server', 'status'] as const;

/** The bundled (or remote) server's state, kept live by the studio's status events. */
export function useServerStatus() {
  const client = useQueryClient();
  useEffect(() => window.studio.server.onStatusChanged((status) => client.setQueryData(serverStatusKey, status)), [client]);
  return useQuery({ queryKey: serverStatusKey, queryFn: () => window.studio.server.getStatus() });
}
