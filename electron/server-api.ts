/**
 * The studio's main process calling its server's HTTP API (accounts; later scheduling and
 * invites): answers are parsed with the API's own zod schemas, and a refusal arrives as the
 * server's typed error, ready to cross IPC to the renderer as it is.
 */
import type { z } from 'zod';
import { SpacecraftError } from '../server/errors.ts';
import { wireErrorSchema } from '../server/signalling/protocol.ts';

export type Fetch = typeof fetch;

/** Longest wait for one API call; the server is usually on this machine. */
const TIMEOUT_MS = 10_000;

export type ApiCall = { method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; body?: unknown; token?: string | null };

export async function callServer<T>(fetchImpl: Fetch, serverUrl: string, path: string, call: ApiCall, answer: z.ZodType<T>): Promise<T> {
  const headers: Record<string, string> = {};
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  if (call.token) headers['authorization'] = `Bearer ${call.token}`;
  let response: Response;
  try {
    response = await fetchImpl(new URL(path, serverUrl), {
      method: call.method ?? 'GET',
      headers,
      ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch {
    throw new SpacecraftError('UNAVAILABLE', 'The server cannot be reached right now.');
  }
  const text = await response.text().catch(() => '');
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON: handled below as an unreadable answer.
  }
  if (!response.ok) {
    const wire = wireErrorSchema.safeParse((json as { error?: unknown } | null)?.error);
    if (wire.success) throw new SpacecraftError(wire.data.code, wire.data.message, wire.data.details);
    throw new SpacecraftError('UNAVAILABLE', `The server answered ${response.status}.`);
  }
  if (response.status === 204) return answer.parse(null);
  const parsed = answer.safeParse(json);
  if (!parsed.success) throw new SpacecraftError('UNAVAILABLE', 'The server gave an answer this studio cannot read; it may be a different version.');
  return parsed.data;
}
