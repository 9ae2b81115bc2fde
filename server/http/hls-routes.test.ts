/** Overflow URLs over HTTP: asking for them is limited per address (a typed RATE_LIMITED with the wait), a bad Space link is refused first. */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { SpacecraftError } from '../errors.ts';
import type { OverflowTier } from '../spaces/overflow-tier.ts';
import { STATUS } from './app.ts';
import { HlsSigner } from './hls-signing.ts';
import { registerHlsRoutes } from './hls-routes.ts';

let app: FastifyInstance;
afterEach(async () => app?.close());

function serve(urlsPerIpPerMinute: number): FastifyInstance {
  const asked: string[] = [];
  const tier = { urlFor: async ({ spaceId }: { spaceId: string }) => (asked.push(spaceId), { playlistUrl: `/hls/${spaceId}/t/index.m3u8`, expiresAt: '', behindSeconds: 3 }) };
  app = Fastify();
  app.setErrorHandler((error, _request, reply) =>
    error instanceof SpacecraftError ? reply.status(STATUS[error.code]).send({ error: error.toWire() }) : reply.status(500).send({ error: { code: 'INTERNAL' } }),
  );
  registerHlsRoutes(app, { tier: tier as unknown as OverflowTier, signer: new HlsSigner('test-secret-0123456789abcdef0123', 60), segmentSeconds: 1, urlsPerIpPerMinute });
  return app;
}

describe('asking for an overflow URL', () => {
  it('is limited per address: past the limit RATE_LIMITED, with the wait', async () => {
    const app = serve(3);
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await app.inject({ method: 'GET', url: '/api/spaces/s1/overflow' }));
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 429, 429]);
    expect(answers[0]!.json()).toMatchObject({ playlistUrl: '/hls/s1/t/index.m3u8' });
    expect(answers[3]!.json().error).toMatchObject({ code: 'RATE_LIMITED', message: 'Too many requests for the overflow stream from this address; wait a minute.', details: { retryAfterMs: expect.any(Number) } });
  });

  it('refuses a bad Space link before counting it', async () => {
    const app = serve(1);
    expect((await app.inject({ method: 'GET', url: `/api/spaces/${encodeURIComponent('../x')}/overflow` })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/api/spaces/s1/overflow' })).statusCode).toBe(200);
  });
});
