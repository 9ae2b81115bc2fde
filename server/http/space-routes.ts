/**
 * `/api/spaces/*`, `/api/accounts/me/spaces` and `/api/invites/*`: scheduling Spaces and co-host invites.
 *
 *   POST   /api/spaces                           schedule → 201 Space (the account must be eligible to host)
 *   PATCH  /api/spaces/:spaceId                  edit title, start or zone while scheduled → Space
 *   POST   /api/spaces/:spaceId/cancel           scheduled → cancelled → Space
 *   GET    /api/accounts/me/spaces               the host's scheduled and live Spaces (and cancelled with tickets, 7 days) → { spaces }
 *   POST   /api/spaces/:spaceId/invites          invite a handle as co-host → 201 { code, link, expiresAt, invite }
 *   GET    /api/spaces/:spaceId/invites          the Space's invites (host only) → { invites }
 *   DELETE /api/spaces/:spaceId/invites/:inviteId revoke → 204
 *   POST   /api/invites/accept                   { code } → { spaceId, role: 'cohost' }
 *
 * Every route needs `Authorization: Bearer <session token>` (see account-routes.ts on why never a
 * cookie). `GET /api/spaces/:spaceId` (app.ts) answers for Spaces not on air through `storedSpaceInfo`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AccountService } from '../accounts/account-service.ts';
import { inviteState } from '../domain/schedule.ts';
import { describeIssues, ValidationError } from '../errors.ts';
import { safeParse } from '../lib/safe-parse.ts';
import type { SpaceInfo } from '../signalling/protocol.ts';
import type { PublicSpace, StoredInvite } from '../spaces/schedule-records.ts';
import type { StoredSpace } from '../spaces/space-records.ts';
import type { SpaceScheduler } from '../spaces/space-scheduler.ts';
import { bearerToken } from './account-routes.ts';
import { acceptBody, editBody, inviteBody, scheduleBody, type InviteJson, type SpaceJson } from './space-api.ts';

const spaceParams = z.object({ spaceId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a Space id') });
const inviteParams = spaceParams.extend({ inviteId: z.string().max(64) });

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = safeParse(schema, value ?? {});
  if (!parsed.success) throw new ValidationError(`That ${what} is not valid.`, describeIssues(parsed.error.issues));
  return parsed.data;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function spaceJson(space: StoredSpace, base: string): SpaceJson {
  return {
    id: space.id,
    title: space.title,
    status: space.status,
    scheduledFor: iso(space.scheduledFor),
    timeZone: space.timeZone,
    startedAt: iso(space.startedAt),
    endedAt: iso(space.endedAt),
    endReason: space.endReason,
    premiere: space.premiere === true,
    createdAt: space.createdAt.toISOString(),
    link: `${base}/s/${space.id}`,
  };
}

export function inviteJson(invite: StoredInvite, now: Date): InviteJson {
  return {
    id: invite.id,
    spaceId: invite.spaceId,
    handle: invite.handle,
    displayName: invite.displayName,
    status: inviteState(invite, now),
    expiresAt: invite.expiresAt.toISOString(),
    usedAt: iso(invite.usedAt),
    revokedAt: iso(invite.revokedAt),
    createdAt: invite.createdAt.toISOString(),
  };
}

/** A stored Space as the listener page reads it: nobody connected, no media yet. */
export function publicSpaceInfo(space: PublicSpace): SpaceInfo {
  return {
    spaceId: space.id,
    title: space.title,
    status: space.status,
    listenerCount: 0,
    hostConnected: false,
    hostMuted: false,
    hostProducerId: null,
    stage: [],
    routerRtpCapabilities: null,
    scheduledFor: iso(space.scheduledFor),
    timeZone: space.timeZone,
    host: space.host,
    premiere: space.premiere === true,
  };
}

/** `GET /api/spaces/:id` for Spaces not on air (scheduled, cancelled, or ended before a restart), from the database. */
export function storedSpaceInfo(scheduler: SpaceScheduler): (id: string) => Promise<SpaceInfo | null> {
  return async (id) => {
    const space = await scheduler.publicSpace(id);
    return space ? publicSpaceInfo(space) : null;
  };
}

export function registerSpaceRoutes(app: FastifyInstance, deps: { accounts: AccountService; scheduler: SpaceScheduler; publicUrl: string | undefined }): void {
  const { accounts, scheduler } = deps;
  const signedIn = (request: FastifyRequest) => accounts.authenticate(bearerToken(request));
  // Links point at this server: its public URL, else the address the caller reached it at.
  const base = (request: FastifyRequest) => deps.publicUrl ?? `${request.protocol}://${request.host}`;

  // Answers carry invite codes and a host's plans: never cached (the public Space state is polled for freshness anyway).
  app.addHook('onSend', async (request, reply) => {
    if (request.url.startsWith('/api/spaces') || request.url.startsWith('/api/invites')) void reply.header('cache-control', 'no-store');
  });

  app.post('/api/spaces', async (request, reply) => {
    const me = await signedIn(request);
    const body = parse(scheduleBody, request.body, 'schedule');
    const space = await scheduler.schedule(me, { title: body.title, startsAt: new Date(body.startsAt), timeZone: body.timeZone, premiere: body.premiere });
    return reply.status(201).send(spaceJson(space, base(request)));
  });

  app.patch('/api/spaces/:spaceId', async (request) => {
    const me = await signedIn(request);
    const { spaceId } = parse(spaceParams, request.params, 'Space id');
    const body = parse(editBody, request.body, 'change');
    const space = await scheduler.edit(me, spaceId, { title: body.title, startsAt: body.startsAt === undefined ? undefined : new Date(body.startsAt), timeZone: body.timeZone });
    return spaceJson(space, base(request));
  });

  app.post('/api/spaces/:spaceId/cancel', async (request) => {
    const me = await signedIn(request);
    const { spaceId } = parse(spaceParams, request.params, 'Space id');
    return spaceJson(await scheduler.cancel(me, spaceId), base(request));
  });

  app.get('/api/accounts/me/spaces', async (request) => {
    const me = await signedIn(request);
    return { spaces: (await scheduler.upcoming(me)).map((space) => spaceJson(space, base(request))) };
  });

  app.post('/api/spaces/:spaceId/invites', async (request, reply) => {
    const me = await signedIn(request);
    const { spaceId } = parse(spaceParams, request.params, 'Space id');
    const body = parse(inviteBody, request.body, 'invite');
    const { code, invite } = await scheduler.invite(me, spaceId, body);
    return reply.status(201).send({
      code,
      // In the fragment: a browser never sends it to a server, so no log or proxy sees the code.
      link: `${base(request)}/s/${spaceId}#invite=${code}`,
      expiresAt: invite.expiresAt.toISOString(),
      invite: inviteJson(invite, new Date()),
    });
  });

  app.get('/api/spaces/:spaceId/invites', async (request) => {
    const me = await signedIn(request);
    const { spaceId } = parse(spaceParams, request.params, 'Space id');
    const now = new Date();
    return { invites: (await scheduler.invites(me, spaceId)).map((invite) => inviteJson(invite, now)) };
  });

  app.delete('/api/spaces/:spaceId/invites/:inviteId', async (request, reply) => {
    const me = await signedIn(request);
    const { spaceId, inviteId } = parse(inviteParams, request.params, 'invite id');
    await scheduler.revokeInvite(me, spaceId, inviteId);
    return reply.status(204).send();
  });

  app.post('/api/invites/accept', async (request) => {
    const me = await signedIn(request);
    const { code } = parse(acceptBody, request.body, 'invite code');
    return scheduler.accept(me, request.ip, code);
  });
}
