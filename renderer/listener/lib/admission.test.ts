import { describe, expect, it } from 'vitest';
import { askToJoin } from './admission.ts';

const answering = (status: number, body: unknown): typeof fetch => (async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })) as typeof fetch;

describe('askToJoin', () => {
  it('goes to the edge the endpoint names, with its ticket', async () => {
    const answer = await askToJoin('http://origin.test', 's1', answering(200, { url: 'http://edge-1.test/', ticket: 't.s', expiresAt: 1 }));
    expect(answer).toEqual({ kind: 'admitted', url: 'http://edge-1.test', ticket: 't.s' });
  });

  it('joins here on a single server (no ticket), even when the server names itself otherwise (a proxy in between)', async () => {
    expect(await askToJoin('http://proxy.test', 's1', answering(200, { url: 'http://one.test', ticket: null, expiresAt: null }))).toEqual({ kind: 'admitted', url: 'http://proxy.test', ticket: null });
  });

  it('waits as told during a join storm, within bounds', async () => {
    const wait = (ms: unknown) => answering(429, { error: { code: 'RATE_LIMITED', message: 'wait', details: { retryInMs: ms } } });
    expect(await askToJoin('http://o.test', 's1', wait(1800))).toEqual({ kind: 'wait', retryInMs: 1800 });
    expect(await askToJoin('http://o.test', 's1', wait(0))).toEqual({ kind: 'wait', retryInMs: 250 });
    expect(await askToJoin('http://o.test', 's1', wait(1e9))).toEqual({ kind: 'wait', retryInMs: 60_000 });
  });

  it('joins here when the endpoint is missing, unreadable or unreachable (the join says what is wrong)', async () => {
    const here = { kind: 'admitted', url: 'http://o.test', ticket: null };
    expect(await askToJoin('http://o.test', 's1', answering(404, { error: { code: 'NOT_FOUND', message: 'no' } }))).toEqual(here);
    expect(await askToJoin('http://o.test', 's1', answering(429, { error: { code: 'RATE_LIMITED', message: 'no details' } }))).toEqual(here);
    expect(await askToJoin('http://o.test', 's1', answering(200, { url: 42 }))).toEqual(here);
    expect(await askToJoin('http://o.test', 's1', (async () => { throw new TypeError('offline'); }) as typeof fetch)).toEqual(here);
  });
});
