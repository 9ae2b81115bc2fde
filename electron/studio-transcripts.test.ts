/** The studio's transcript export from its server: the text and a file name, typed errors for refusals, an unreachable server and oversized answers. */
import { describe, expect, it } from 'vitest';
import type { Fetch } from './server-api.ts';
import { fetchTranscript, MAX_TRANSCRIPT_BYTES } from './studio-transcripts.ts';

const answering = (response: () => Response): { fetch: Fetch; urls: string[] } => {
  const urls: string[] = [];
  return {
    urls,
    fetch: (async (url: URL | string) => {
      urls.push(String(url));
      return response();
    }) as Fetch,
  };
};

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as { code: string }).code;
  }
  return 'OK';
}

describe('transcript export', () => {
  it('fetches the transcript of a Space from the server', async () => {
    const server = answering(() => new Response('WEBVTT\n', { headers: { 'content-type': 'text/vtt' } }));
    expect(await fetchTranscript(server.fetch, 'http://127.0.0.1:9', { spaceId: 'abc_-1', format: 'vtt' })).toEqual({ name: 'spacecraft-abc_-1.vtt', text: 'WEBVTT\n' });
    expect(server.urls).toEqual(['http://127.0.0.1:9/api/spaces/abc_-1/transcript.vtt']);
  });

  it('sends the signed-in session (a ticketed Space’s transcript needs it), and none when signed out', async () => {
    const seen: Array<string | null> = [];
    const fetchImpl = (async (_url: URL | string, init?: RequestInit) => {
      seen.push(new Headers(init?.headers).get('authorization'));
      return new Response('WEBVTT\n');
    }) as Fetch;
    await fetchTranscript(fetchImpl, 'http://x', { spaceId: 'abc', format: 'vtt' }, 'host-session');
    await fetchTranscript(fetchImpl, 'http://x', { spaceId: 'abc', format: 'vtt' });
    expect(seen).toEqual(['Bearer host-session', null]);
  });

  it('passes on the server’s typed refusal, and says when the server cannot be reached', async () => {
    const missing = answering(() => Response.json({ error: { code: 'NOT_FOUND', message: 'There is no Space at this link.' } }, { status: 404 }));
    expect(await code(fetchTranscript(missing.fetch, 'http://x', { spaceId: 'nope', format: 'srt' }))).toBe('NOT_FOUND');
    const broken = answering(() => new Response('<html>', { status: 502 }));
    expect(await code(fetchTranscript(broken.fetch, 'http://x', { spaceId: 'a', format: 'srt' }))).toBe('UNAVAILABLE');
    const down = { fetch: (async () => Promise.reject(new TypeError('fetch failed'))) as unknown as Fetch };
    expect(await code(fetchTranscript(down.fetch, 'http://x', { spaceId: 'a', format: 'srt' }))).toBe('UNAVAILABLE');
  });

  it('refuses a Space id that could leave the path, and an oversized answer', async () => {
    const server = answering(() => new Response('x'));
    expect(await code(fetchTranscript(server.fetch, 'http://x', { spaceId: '../accounts/me', format: 'vtt' }))).toBe('VALIDATION');
    expect(server.urls).toEqual([]);
    const huge = answering(() => new Response('x', { headers: { 'content-length': String(MAX_TRANSCRIPT_BYTES + 1) } }));
    expect(await code(fetchTranscript(huge.fetch, 'http://x', { spaceId: 'a', format: 'vtt' }))).toBe('LIMIT_EXCEEDED');
  });
});
