/**
 * Refunds and the sales dashboard over HTTP (issue #9):
 *
 *   GET  /api/spaces/:spaceId/sales           the host's live sales: sold, held, left, gross, fee, net, sales over time,
 *                                             and what a move means for buyers (refund window, the last move's deadline)
 *   PUT  /api/spaces/:spaceId/planned-length  { minutes } the length the failed-early rule measures against (host, before start)
 *   GET  /api/spaces/:spaceId/refund          the caller's ticket after a move: may they ask for a refund, until when
 *   POST /api/spaces/:spaceId/refund          ask for it (within the window after a move) → 202, the refund runs as a durable job
 *
 * Signed in with `Authorization: Bearer`; answers never cached; each account may read the sales
 * a few times a second at most (the studio polls) and ask for a refund a few times a minute.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { z } from 'zod';
import type { AccountService } from '../accounts/account-service.ts';
import type { Db } from '../db/database.ts';
import { describeIssues, NotFoundError, PermissionError, SpacecraftError, ValidationError } from '../errors.ts';
import { safeParse } from '../lib/safe-parse.ts';
import type { RefundRunner } from '../payments/refund-runner.ts';
import { moveTerms, salesReport } from '../payments/sales-report.ts';
import type { RefundPolicy } from '../domain/refund-policy.ts';
import { bearerToken } from './account-routes.ts';

const spaceParams = z.object({ spaceId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a Space id') });
const plannedBody = z.strictObject({ minutes: z.number().int().min(1).max(1440) });

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = safeParse(schema, value ?? {});
  if (!parsed.success) throw new ValidationError(`That ${what} is not valid.`, describeIssues(parsed.error.issues));
  return parsed.data;
}

async function take(limiter: RateLimiterMemory, key: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch {
    throw new SpacecraftError('RATE_LIMITED', 'Too many requests; wait a moment.');
  }
}

export function registerRefundRoutes(app: FastifyInstance, deps: { accounts: AccountService; db: Db; refunds: RefundRunner; policy: RefundPolicy }): void {
  const { accounts, db, refunds, policy } = deps;
  const signedIn = (request: FastifyRequest) => accounts.authenticate(bearerToken(request));
  const reads = new RateLimiterMemory({ keyPrefix: 'sales-read', points: 120, duration: 60 });
  const asks = new RateLimiterMemory({ keyPrefix: 'refund-ask', points: 10, duration: 60 });

  app.addHook('onSend', async (request, reply) => {
    if (/^\/api\/spaces\/[^/]+\/(sales|refund|planned-length)/.test(request.url)) void reply.header('cache-control', 'no-store');
  });

  app.get('/api/spaces/:spaceId/sales', async (request) => {
    const me = await signedIn(request);
    const { spaceId } = parse(spaceParams, request.params, 'Space id');
    await take(reads, me.id);
    const space = await db.selectFrom('spaces').select('host_account_id').where('id', '=', spaceId).executeTakeFirst();
    if (!space) throw new NotFoundError('No such Space.');
    if (space.host_account_id !== me.id) throw new PermissionError('Only the host sees the sales.');
    const [report, terms] = await Promise.all([salesReport(db, spaceId), moveTerms(db, spaceId, policy)]);
    return { ...report, refundWindowHours: terms.refundWindowHours, rescheduledAt: terms.rescheduledAt?.toISOString() ?? null, refundDeadline: terms.refundDeadline?.toISOString() ?? null };
  });

  app.put('/api/spaces/:spaceId/planned-length', async (request) => {
    const me = await signedIn(request);
    const { spaceId } = parse(spaceParams, request.params, 'Space id');
    const { minutes } = parse(plannedBody, request.body, 'planned length');
    await take(asks, me.id);
    await refunds.setPlannedMinutes(me.id, spaceId, minutes);
    return { plannedMinutes: minutes };
  });

  app.get('/api/spaces/:spaceId/refund', async (request) => {
    const me = await signedIn(request);
    const { spaceId } = parse(spaceParams, request.params, 'Space id');
    await take(reads, me.id);
    const state = await refunds.buyerRefundState(me.id, spaceId);
    return { ...state, rescheduledAt: state.rescheduledAt?.toISOString() ?? null, deadline: state.deadline?.toISOString() ?? null };
  });

  app.post('/api/spaces/:spaceId/refund', async (request, reply) => {
    const me = await signedIn(request);
    const { spaceId } = parse(spaceParams, request.params, 'Space id');
    await take(asks, me.id);
    await refunds.askRefund(me.id, spaceId);
    return reply.status(202).send({ refund: 'started' });
  });
}
