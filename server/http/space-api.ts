/**
 * The Space API's bodies and answers as zod schemas: the routes parse bodies with them, and the
 * studio (which will call these routes from its main process) parses answers with them.
 */
import { z } from 'zod';

const SPACE_STATUSES = ['scheduled', 'live', 'ended', 'cancelled'] as const;

/** A time with its offset (`2026-04-01T18:00:00+02:00` or `…Z`). */
const isoTime = z.iso.datetime({ offset: true });

export const scheduleBody = z.strictObject({
  title: z.string().max(1000),
  startsAt: isoTime,
  timeZone: z.string().max(200),
  /** A premiere: its page says "Premiere starts in …". */
  premiere: z.boolean().optional(),
});
export const editBody = z.strictObject({
  title: z.string().max(1000).optional(),
  startsAt: isoTime.optional(),
  timeZone: z.string().max(200).optional(),
});
export const inviteBody = z.strictObject({
  handle: z.string().max(64),
  expiresInMinutes: z.number().int().min(1).max(1_000_000).optional(),
});
export const acceptBody = z.strictObject({ code: z.string().max(200) });

export const spaceJsonSchema = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(SPACE_STATUSES),
  scheduledFor: z.string().nullable(),
  timeZone: z.string().nullable(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  endReason: z.string().nullable(),
  /** Scheduled as a premiere. */
  premiere: z.boolean().optional(),
  createdAt: z.string(),
  /** The listener page of this Space. */
  link: z.string(),
});
export const spaceListJsonSchema = z.object({ spaces: z.array(spaceJsonSchema) });

export const inviteJsonSchema = z.object({
  id: z.string(),
  spaceId: z.string(),
  handle: z.string(),
  displayName: z.string(),
  status: z.enum(['pending', 'used', 'revoked', 'expired']),
  expiresAt: z.string(),
  usedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  createdAt: z.string(),
});
export const inviteListJsonSchema = z.object({ invites: z.array(inviteJsonSchema) });
/** The code is in this answer only: the server keeps its hash. `link` carries it in its fragment, which no server sees. */
export const createdInviteJsonSchema = z.object({ code: z.string(), link: z.string(), expiresAt: z.string(), invite: inviteJsonSchema });
export const acceptedInviteJsonSchema = z.object({ spaceId: z.string(), role: z.literal('cohost') });

export type ScheduleBody = z.infer<typeof scheduleBody>;
export type EditBody = z.infer<typeof editBody>;
export type SpaceJson = z.infer<typeof spaceJsonSchema>;
export type InviteJson = z.infer<typeof inviteJsonSchema>;
export type CreatedInviteJson = z.infer<typeof createdInviteJsonSchema>;
