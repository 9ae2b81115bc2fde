/**
 * The stage's part of the signalling protocol (requests and notifications),
 * merged into protocol.ts's maps; clients import them from there.
 *
 *   requestToSpeak / cancelRequest         a signed-in listener
 *   answerRequest { peerId, accept }       the host or a co-host
 *   muteSpeaker { peerId, muted }          the host or a co-host, on someone below them (a lock the speaker cannot undo)
 *   moveToListener { peerId }              the host or a co-host, on someone below them
 *   leaveStage                             a co-host or speaker, themselves
 *   removeFromSpace { peerId }             the host or a co-host, on someone below them; a signed-in account is banned
 *   react { emoji }                        a signed-in listener or speaker (allow-listed emoji, rate-limited per account)
 *
 *   yourRole { peerId, role, requestPending }   to one connection, whenever its own part changes
 *   stageRequests { requests }                  to the host and co-hosts, coalesced with the state
 *   speaking { producerIds }                    to everyone, when who is speaking changes (at most 4/s)
 *   reactions { counts }                        to the host and co-hosts, at most one a second
 */
import { z } from 'zod';
import { REACTIONS, ROLES, STAGE_ROLES } from '../domain/stage.ts';

const id = z.string().min(1).max(64);

export const roleSchema = z.enum(ROLES);
export const reactionSchema = z.enum(REACTIONS);

/** Someone on stage, as everyone in the Space sees them. */
export const stageMemberSchema = z.object({
  peerId: id,
  accountId: z.string().nullable(),
  handle: z.string().nullable(),
  displayName: z.string(),
  role: z.enum(STAGE_ROLES),
  /** Their microphone's producer, to consume; null until they publish. */
  producerId: id.nullable(),
  muted: z.boolean(),
  /** Muted by the host or a co-host: they cannot unmute until it is lifted. */
  mutedByHost: z.boolean(),
});
export type StageMember = z.infer<typeof stageMemberSchema>;

export const speakRequestSchema = z.object({ peerId: id, accountId: z.string(), handle: z.string().nullable(), displayName: z.string(), at: z.number() });
export type SpeakRequestWire = z.infer<typeof speakRequestSchema>;

const none = z.object({}).strict();
const target = z.object({ peerId: id }).strict();

export const stageRequests = {
  requestToSpeak: { data: none, result: z.object({}) },
  cancelRequest: { data: none, result: z.object({}) },
  answerRequest: { data: z.object({ peerId: id, accept: z.boolean() }).strict(), result: z.object({}) },
  muteSpeaker: { data: z.object({ peerId: id, muted: z.boolean() }).strict(), result: z.object({}) },
  moveToListener: { data: target, result: z.object({}) },
  leaveStage: { data: none, result: z.object({}) },
  removeFromSpace: { data: target, result: z.object({}) },
  react: { data: z.object({ emoji: reactionSchema }).strict(), result: z.object({}) },
} as const;

export const yourRoleSchema = z.object({ peerId: id, role: roleSchema, requestPending: z.boolean() });
export type YourRole = z.infer<typeof yourRoleSchema>;

export const stageNotifications = {
  yourRole: yourRoleSchema,
  stageRequests: z.object({ requests: z.array(speakRequestSchema).max(200) }),
  speaking: z.object({ producerIds: z.array(id).max(16) }),
  reactions: z.object({ counts: z.array(z.object({ emoji: reactionSchema, count: z.number().int().positive() })).max(REACTIONS.length) }),
} as const;
