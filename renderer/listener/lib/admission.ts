/**
 * Where the listener page opens its socket (issue #12): it asks the server's join endpoint,
 * which on a multi-node deployment names an edge and signs a ticket for it, and during a join
 * storm says how long to wait. A single server, or one that predates the endpoint, answers "here".
 */
import { joinAnswerSchema, wireErrorSchema } from '../../../server/signalling/protocol.ts';

export type Admission = { kind: 'admitted'; url: string; ticket: string | null } | { kind: 'wait'; retryInMs: number };

/** The shortest and longest wait the page accepts from a server. */
const MIN_WAIT_MS = 250;
const MAX_WAIT_MS = 60_000;

export async function askToJoin(serverUrl: string, spaceId: string, fetchImpl: typeof fetch = fetch): Promise<Admission> {
  const here: Admission = { kind: 'admitted', url: serverUrl, ticket: null };
  let response: Response;
  try {
    response = await fetchImpl(new URL(`/api/spaces/${encodeURIComponent(spaceId)}/join`, serverUrl), { method: 'POST' });
  } catch {
    // The endpoint cannot be reached: the socket's own error will say what is wrong.
    return here;
  }
  const body: unknown = await response.json().catch(() => null);
  if (response.ok) {
    const answer = joinAnswerSchema.safeParse(body);
    // No ticket: a single server, which is the one this page already talks to (maybe through a proxy).
    if (!answer.success || answer.data.ticket === null) return here;
    return { kind: 'admitted', url: new URL(answer.data.url, serverUrl).toString().replace(/\/$/, ''), ticket: answer.data.ticket };
  }
  const error = wireErrorSchema.safeParse((body as { error?: unknown } | null)?.error);
  const retryInMs = (error.data?.details as { retryInMs?: unknown } | undefined)?.retryInMs;
  if (error.success && (error.data.code === 'RATE_LIMITED' || error.data.code === 'UNAVAILABLE') && typeof retryInMs === 'number' && Number.isFinite(retryInMs)) {
    return { kind: 'wait', retryInMs: Math.min(MAX_WAIT_MS, Math.max(MIN_WAIT_MS, retryInMs)) };
  }
  // Anything else (no such Space, an older server): join here, and the join itself says what is wrong.
  return here;
}
