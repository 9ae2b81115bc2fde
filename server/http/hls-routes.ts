/**
 * The HLS overflow tier over plain HTTP, so any cache or CDN can carry it:
 *
 *   GET /api/spaces/:spaceId/overflow      → { playlistUrl, expiresAt, behindSeconds } (a signed URL;
 *                                            the ticket hook is asked first; packaging starts if needed)
 *   GET /hls/:spaceId/:token/index.m3u8    the live playlist   Cache-Control: max-age ≈ half a segment
 *   GET /hls/:spaceId/:token/init.mp4      the fMP4 init       Cache-Control: immutable, a day
 *   GET /hls/:spaceId/:token/seg-N.m4s     a CMAF segment      Cache-Control: immutable, a day
 *
 * Every file request checks the token's HMAC and expiry first (403 when tampered, expired or
 * malformed, before anything is looked up); asking for URLs is rate-limited per address.
 */
import { createReadStream } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { z } from 'zod';
import { describeIssues, NotFoundError, PermissionError, ValidationError } from '../errors.ts';
import { take } from '../signalling/limits.ts';
import type { OverflowTier } from '../spaces/overflow-tier.ts';
import type { HlsSigner } from './hls-signing.ts';

const spaceId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a Space id');
const overflowParams = z.object({ spaceId });
const fileParams = z.object({ spaceId, token: z.string().max(80), file: z.string().max(40) });

const TYPES: Record<string, string> = { m3u8: 'application/vnd.apple.mpegurl', mp4: 'audio/mp4', m4s: 'audio/mp4' };

export type HlsRoutesOptions = {
  tier: OverflowTier;
  signer: HlsSigner;
  segmentSeconds: number;
  /** Overflow URLs one address may ask for per minute. */
  urlsPerIpPerMinute: number;
};

export function registerHlsRoutes(app: FastifyInstance, options: HlsRoutesOptions): void {
  const { tier, signer } = options;
  const asked = new RateLimiterMemory({ keyPrefix: 'overflow-url', points: options.urlsPerIpPerMinute, duration: 60 });

  app.get('/api/spaces/:spaceId/overflow', async (request) => {
    const params = overflowParams.safeParse(request.params);
    if (!params.success) throw new ValidationError('That is not a Space link.', describeIssues(params.error.issues));
    await take(asked, request.ip, 'Too many requests for the overflow stream from this address; wait a minute.');
    return tier.urlFor({ spaceId: params.data.spaceId, ip: request.ip, authorization: request.headers.authorization });
  });

  app.get('/hls/:spaceId/:token/:file', { helmet: false }, async (request, reply) => {
    const params = fileParams.safeParse(request.params);
    if (!params.success) throw new NotFoundError('Nothing here.');
    const { spaceId: id, token, file } = params.data;
    const check = signer.check(id, token);
    if (check !== 'ok') throw new PermissionError(check === 'expired' ? 'This overflow link has expired: ask the Space for a new one.' : 'This overflow link is not valid.');
    const path = await tier.file(id, file);
    if (!path) throw new NotFoundError('That part of the stream is not here (the Space ended, or it is too old).');
    const extension = file.slice(file.lastIndexOf('.') + 1);
    const playlist = extension === 'm3u8';
    void reply
      .header('content-type', TYPES[extension] ?? 'application/octet-stream')
      .header('cache-control', playlist ? `public, max-age=${Math.max(1, Math.floor(options.segmentSeconds / 2))}` : 'public, max-age=86400, immutable')
      .header('access-control-allow-origin', '*')
      .header('x-content-type-options', 'nosniff');
    return reply.send(createReadStream(path));
  });
}
