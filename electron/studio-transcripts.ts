/**
 * A Space's caption transcript (WebVTT or SRT) from the studio's server, for the renderer to save:
 * fetched by main (the renderer never names a server URL) with the signed-in session (a ticketed
 * Space's transcript needs it), bounded in size, refusals as the server's typed errors.
 */
import { SpacecraftError, ValidationError } from '../server/errors.ts';
import { wireErrorSchema } from '../server/signalling/protocol.ts';
import type { Fetch } from './server-api.ts';

/** The largest transcript the studio takes (a long Space is a few MB of text at most). */
export const MAX_TRANSCRIPT_BYTES = 20 * 1024 * 1024;
const TIMEOUT_MS = 20_000;

export async function fetchTranscript(fetchImpl: Fetch, serverUrl: string, input: { spaceId: string; format: 'vtt' | 'srt' }, token: string | null = null): Promise<{ name: string; text: string }> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(input.spaceId)) throw new ValidationError('That is not a Space id.');
  let response: Response;
  try {
    response = await fetchImpl(new URL(`/api/spaces/${input.spaceId}/transcript.${input.format}`, serverUrl), {
      signal: AbortSignal.timeout(TIMEOUT_MS),
      ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    });
  } catch {
    throw new SpacecraftError('UNAVAILABLE', 'The server cannot be reached right now.');
  }
  const length = Number(response.headers.get('content-length') ?? 0);
  if (length > MAX_TRANSCRIPT_BYTES) throw new SpacecraftError('LIMIT_EXCEEDED', 'That transcript is too large to export here.');
  const text = await response.text().catch(() => '');
  if (!response.ok) {
    let error: unknown = null;
    try {
      error = (JSON.parse(text) as { error?: unknown }).error;
    } catch {
      // Not JSON: said below.
    }
    const wire = wireErrorSchema.safeParse(error);
    if (wire.success) throw new SpacecraftError(wire.data.code, wire.data.message);
    throw new SpacecraftError('UNAVAILABLE', `The server answered ${response.status}.`);
  }
  if (text.length > MAX_TRANSCRIPT_BYTES) throw new SpacecraftError('LIMIT_EXCEEDED', 'That transcript is too large to export here.');
  return { name: `spacecraft-${input.spaceId}.${input.format}`, text };
}
