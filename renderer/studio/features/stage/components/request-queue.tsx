/**
 * Requests to speak, oldest first, each with accept / decline. Accepting puts
 * the listener in their green room; they join the stage muted. When the stage
 * is full, accepting says so (the server refuses with LIMIT_EXCEEDED).
 */
import { ErrorAlert } from '../../../../lib/error-alert.tsx';
import { useAction } from '../../../../lib/use-action.ts';

export type QueuedRequest = { peerId: string; displayName: string; handle: string | null; at: number };

function waited(at: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 60) return 'just now';
  const minutes = Math.round(seconds / 60);
  return minutes === 1 ? '1 minute ago' : `${minutes} minutes ago`;
}

function Request({ request, now, answer }: { request: QueuedRequest; now: number; answer: (peerId: string, accept: boolean) => Promise<void> }) {
  const action = useAction();
  const { busy, error } = action;
  const run = (accept: boolean) => action.run(() => answer(request.peerId, accept));
  return (
    <li className="request" data-peer={request.peerId}>
      <span className="member-who">
        <span className="member-name">{request.displayName}</span>
        <span className="member-meta">
          {request.handle ? `@${request.handle} · ` : ''}
          {waited(request.at, now)}
        </span>
      </span>
      <span className="member-actions">
        <button type="button" className="primary" disabled={busy} aria-label={`Accept ${request.displayName}`} onClick={() => run(true)}>
          Accept
        </button>
        <button type="button" disabled={busy} aria-label={`Decline ${request.displayName}`} onClick={() => run(false)}>
          Decline
        </button>
      </span>
      <ErrorAlert error={error} as="span" className="member-error" />
    </li>
  );
}

export function RequestQueue({ requests, answer, now = Date.now() }: { requests: readonly QueuedRequest[]; answer: (peerId: string, accept: boolean) => Promise<void>; now?: number }) {
  const sorted = [...requests].sort((a, b) => a.at - b.at);
  return (
    <section className="requests" aria-labelledby="requests-heading">
      <h3 id="requests-heading">
        Asking to speak <span className="count" aria-live="polite">{requests.length}</span>
      </h3>
      {sorted.length === 0 ? (
        <p className="muted empty">Nobody is asking to speak.</p>
      ) : (
        <ul>
          {sorted.map((request) => (
            <Request key={request.peerId} request={request} now={now} answer={answer} />
          ))}
        </ul>
      )}
    </section>
  );
}
