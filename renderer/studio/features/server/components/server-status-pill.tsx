import { useServerStatus } from '../api/server-status.ts';

const LABELS = {
  starting: 'Server starting…',
  running: 'Server ready',
  restarting: 'Server restarting…',
  stopped: 'Server stopped',
  failed: 'Server failed',
  remote: 'Remote server',
} as const;

export function ServerStatusPill() {
  const { data } = useServerStatus();
  const state = data?.state ?? 'starting';
  return (
    <span className={`pill pill-${state}`} role="status" data-state={state} title={data?.message ?? data?.url ?? ''}>
      {LABELS[state]}
    </span>
  );
}
