/**
 * Transcripts of a Space's captions, during or after it:
 *
 *   GET /api/spaces/:spaceId/transcript.vtt    WebVTT, speakers as voice tags     text/vtt
 *   GET /api/spaces/:spaceId/transcript.srt    SRT, "Name: text"                  application/x-subrip
 *
 * Only released text (what listeners saw, corrections included); held-back text stays out until
 * its hold-back ends. Open like the Space's page (listeners read the same captions live), except
 * a ticketed Space's: those need `Authorization: Bearer` of a ticket holder or the stage (the
 * `access` hook, the same question the HLS overflow asks). A Space the server never knew is
 * NOT_FOUND. Asked at most `perMinute` times a minute per address.
 */
import type { FastifyInstance } from 'fastify';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { z } from 'zod';
import type { CaptionRecords } from '../captions/caption-records.ts';
import { toSrt, toWebVtt, transcriptCues } from '../domain/captions.ts';
import { describeIssues, NotFoundError, PermissionError, ValidationError } from '../errors.ts';
import { take } from '../signalling/limits.ts';
import type { OverflowAccess } from '../spaces/overflow-tier.ts';

const params = z.object({ spaceId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a Space id'), format: z.enum(['vtt', 'srt']) });

export type CaptionRoutesOptions = {
  records: CaptionRecords;
  /** The Space's title, or null when there is no such Space. */
  spaceTitle: (spaceId: string) => Promise<string | null>;
  /** Who may read a Space's captions (a ticketed Space: its ticket holders and stage); without it, anyone. */
  access?: OverflowAccess;
  perMinute?: number;
};

export function registerCaptionRoutes(app: FastifyInstance, options: CaptionRoutesOptions): void {
  const asked = new RateLimiterMemory({ keyPrefix: 'transcript', points: options.perMinute ?? 30, duration: 60 });

  app.get('/api/spaces/:spaceId/transcript.:format', async (request, reply) => {
    const parsed = params.safeParse(request.params);
    if (!parsed.success) throw new ValidationError('That is not a transcript link.', describeIssues(parsed.error.issues));
    await take(asked, request.ip, 'Too many transcripts asked for from this address; wait a minute.');
    const { spaceId, format } = parsed.data;
    const title = await options.spaceTitle(spaceId);
    if (title === null) throw new NotFoundError('There is no Space at this link.');
    if (options.access && !(await options.access.mayListen({ spaceId, ip: request.ip, authorization: request.headers.authorization }))) {
      throw new PermissionError('This is a ticketed Space: sign in with your ticket to read its transcript.');
    }
    const cues = transcriptCues(await options.records.segments(spaceId));
    const body = format === 'vtt' ? toWebVtt(cues, title) : toSrt(cues);
    return reply
      .header('content-type', format === 'vtt' ? 'text/vtt; charset=utf-8' : 'application/x-subrip; charset=utf-8')
      .header('content-disposition', `attachment; filename="spacecraft-${spaceId}.${format}"`)
      .header('cache-control', 'no-store')
      .send(body);
  });
}
