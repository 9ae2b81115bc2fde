/**
 * POST /api/spaces/:id/join on a single server (no cluster): it answers "here, no ticket", checks
 * its input, and limits how often one address may ask (a page retrying as told asks a few times).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinAnswerSchema } from '../../server/signalling/protocol.ts';
import { startTestServer, type TestServer } from '../support/server-fixture.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ SPACECRAFT_IP_JOINS_PER_MINUTE: '2' });
});

afterAll(async () => {
  await server?.close();
});

const ask = (path: string) => fetch(`${server.url}${path}`, { method: 'POST' });

describe('the join endpoint of a single server', () => {
  it('answers with its own URL and no ticket', async () => {
    const response = await ask('/api/spaces/someSpace/join');
    expect(response.status).toBe(200);
    expect(joinAnswerSchema.parse(await response.json())).toEqual({ url: server.url, ticket: null, expiresAt: null });
  });

  it('refuses what is not a Space id', async () => {
    const response = await ask(`/api/spaces/${encodeURIComponent('no such/id!')}/join`);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    const long = await ask(`/api/spaces/${'a'.repeat(65)}/join`);
    expect(long.status).toBe(400);
    expect(((await long.json()) as { error: { code: string } }).error.code).toBe('VALIDATION');
  });

  it('limits the asks of one address (4 × its joins a minute), saying how long to wait', async () => {
    let last: Response | null = null;
    for (let i = 0; i < 12 && last?.status !== 429; i++) last = await ask('/api/spaces/someSpace/join');
    expect(last!.status).toBe(429);
    const body = (await last!.json()) as { error: { code: string; details: { retryInMs: number } } };
    expect(body.error.code).toBe('RATE_LIMITED');
    expect(body.error.details.retryInMs).toBeGreaterThan(0);
  });
});
