/**
 * The WebSocket signalling protocol between the server and its clients (the
 * studio and the listener page). Every message is a zod schema here, and both
 * sides import this module: nothing is declared twice.
 *
 *   client → server   { id, method, data }            a request
 *   server → client   { id, ok: true, data }          its result
 *                     { id, ok: false, error }        its typed error (id null when unreadable)
 *                     { notification, data }          an event
 */
import type { types } from 'mediasoup';
import { z } from 'zod';
import { CLOSE_REASONS, SPACE_STATUSES } from '../domain/space.ts';
import { ERROR_CODES } from '../errors.ts';
import { captionNotifications, captionRequests } from './caption-protocol.ts';
import { ticketNotifications } from './ticket-protocol.ts';
import { premiereNotifications, premiereRequests } from './premiere-protocol.ts';
import { stageMemberSchema, stageNotifications, stageRequests, yourRoleSchema } from './stage-protocol.ts';

/** Largest frame the server reads; the socket is closed (1009) on a larger one. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

const id = z.string().min(1).max(64);
const looseObject = z.record(z.string(), z.unknown());

/**
 * mediasoup's own parameter types, checked here in outline only (mediasoup
 * checks them in depth and its TypeError becomes VALIDATION). Typed as
 * mediasoup's types, so the media path needs no casts.
 */
function mediasoupShape<T>(outline: z.ZodType): z.ZodType<T> {
  return outline.transform((value) => value as T) as unknown as z.ZodType<T>;
}

export const dtlsParametersSchema = mediasoupShape<types.DtlsParameters>(
  z.object({
    role: z.enum(['auto', 'client', 'server']).optional(),
    fingerprints: z.array(z.object({ algorithm: z.string().max(16), value: z.string().max(200) })).min(1).max(8),
  }),
);
export const rtpParametersSchema = mediasoupShape<types.RtpParameters>(
  z.object({ codecs: z.array(looseObject).min(1).max(16), encodings: z.array(looseObject).max(8).optional() }).catchall(z.unknown()),
);
export const rtpCapabilitiesSchema = mediasoupShape<types.RtpCapabilities>(
  z.object({ codecs: z.array(looseObject).max(64).optional() }).catchall(z.unknown()),
);
const iceParametersSchema = mediasoupShape<types.IceParameters>(looseObject);
const iceCandidatesSchema = mediasoupShape<types.IceCandidate[]>(z.array(looseObject).max(16));

export const transportOptionsSchema = z.object({
  id,
  iceParameters: iceParametersSchema,
  iceCandidates: iceCandidatesSchema,
  dtlsParameters: dtlsParametersSchema,
});
export type TransportOptions = z.infer<typeof transportOptionsSchema>;

export const spaceStatusSchema = z.enum(SPACE_STATUSES);
export const closeReasonSchema = z.enum(CLOSE_REASONS);

export const spaceStateSchema = z.object({
  spaceId: id,
  title: z.string(),
  status: spaceStatusSchema,
  listenerCount: z.number().int().nonnegative(),
  /** False while the host's connection is gone and the Space waits for the host to come back. */
  hostConnected: z.boolean(),
  hostMuted: z.boolean(),
  hostProducerId: id.nullable(),
  /** Everyone on stage (the host first): every producer here is one to consume. */
  stage: z.array(stageMemberSchema).max(16),
  /** Past SPACECRAFT_PROGRAM_MIX_FROM_LISTENERS listeners: the stage mixed into one stream; a listener off stage consumes this one instead of each producer. */
  programProducerId: id.optional(),
});

/**
 * A Space as the listener page first sees it (GET /api/spaces/:id): its state and,
 * while it is live, the router's capabilities, so the page can prepare its media
 * before the listener presses play.
 */
export const spaceInfoSchema = spaceStateSchema.extend({
  routerRtpCapabilities: rtpCapabilitiesSchema.nullable(),
  /** A scheduled Space: when it is due to start (ISO 8601, UTC) and the IANA zone its host scheduled it in. */
  scheduledFor: z.string().max(40).nullable().optional(),
  timeZone: z.string().max(64).nullable().optional(),
  /** The host's public name, for a Space the database knows. */
  host: z.object({ handle: z.string().max(64), displayName: z.string().max(200) }).nullable().optional(),
  /** Scheduled as a premiere: its page says "Premiere starts in …". */
  premiere: z.boolean().optional(),
});
export type SpaceInfo = z.infer<typeof spaceInfoSchema>;

/**
 * Where to listen (POST /api/spaces/:id/join): the server whose socket to open and, in a
 * multi-node deployment, the edge's signed ticket for `joinSpace` (null on a single server).
 * A join refused for now answers RATE_LIMITED with `details.retryInMs` (wait, then ask again).
 */
export const joinAnswerSchema = z.object({ url: z.string().max(500), ticket: z.string().max(512).nullable(), expiresAt: z.number().nullable() });
export type JoinAnswer = z.infer<typeof joinAnswerSchema>;

/** The account a connection is signed in as. */
export const signedInAccountSchema = z.object({ id: z.string(), handle: z.string(), displayName: z.string() });
export type SignedInAccount = z.infer<typeof signedInAccountSchema>;

/** What the host gets on starting or resuming a Space. `hostKey` lets the host come back after a dropped connection. */
const hostedSpace = z.object({ space: spaceStateSchema, listenerPath: z.string(), hostKey: z.string(), routerRtpCapabilities: rtpCapabilitiesSchema });

/** Every request: its data and its result. */
export const requests = {
  ping: { data: z.object({}).strict(), result: z.object({ now: z.number() }) },
  /** Binds a signed-in account (an HTTP sign-in's session token) to this connection: hosting, asking to speak and reacting need one. */
  signIn: {
    data: z.object({ sessionToken: z.string().min(1).max(200) }).strict(),
    result: z.object({ account: signedInAccountSchema, mayHost: z.boolean(), followersNeeded: z.number().int().nonnegative() }),
  },
  /** Starts a Space now, hosted by the signed-in account (which needs enough followers); `scheduledSpaceId` starts one of its scheduled Spaces. */
  createSpace: {
    data: z.object({ title: z.string().trim().min(1).max(120), scheduledSpaceId: id.optional() }).strict(),
    result: hostedSpace,
  },
  /** The host's connection dropped: take the Space back on this connection, within the grace period. */
  resumeSpace: {
    /** Either the key the host was given, or a connection signed in as the host's account (the way back after a server restart). */
    data: z.object({ spaceId: id, hostKey: z.string().min(1).max(200).optional() }).strict(),
    result: hostedSpace,
  },
  joinSpace: {
    /** `preparing`: a listener page joining before its listener pressed play; not counted as a listener until `startListening`. */
    /** `ticket`: on an edge of a multi-node deployment, the ticket the join endpoint signed for it. */
    data: z.object({ spaceId: id, preparing: z.boolean().optional(), ticket: z.string().min(1).max(512).optional() }).strict(),
    /** `you`: this connection's peer id (to find itself on stage), its role (a stored co-host or speaker role comes back) and request. */
    result: z.object({ space: spaceStateSchema, routerRtpCapabilities: rtpCapabilitiesSchema, you: yourRoleSchema }),
  },
  createTransport: {
    data: z.object({ direction: z.enum(['send', 'recv']) }).strict(),
    result: transportOptionsSchema,
  },
  connectTransport: {
    data: z.object({ transportId: id, dtlsParameters: dtlsParametersSchema }).strict(),
    result: z.object({}),
  },
  produce: {
    data: z.object({ transportId: id, kind: z.literal('audio'), rtpParameters: rtpParametersSchema }).strict(),
    result: z.object({ producerId: id }),
  },
  consume: {
    data: z.object({ transportId: id, producerId: id, rtpCapabilities: rtpCapabilitiesSchema }).strict(),
    result: z.object({ consumerId: id, producerId: id, kind: z.literal('audio'), rtpParameters: rtpParametersSchema }),
  },
  resumeConsumer: { data: z.object({ consumerId: id }).strict(), result: z.object({}) },
  /** A connection that joined `preparing` now listens (its listener pressed play): counted from now on. */
  startListening: { data: z.object({}).strict(), result: z.object({}) },
  setMuted: { data: z.object({ muted: z.boolean() }).strict(), result: z.object({}) },
  endSpace: { data: z.object({}).strict(), result: z.object({}) },
  ...stageRequests,
  ...premiereRequests,
  ...captionRequests,
} as const;

export type Requests = typeof requests;
export type Method = keyof Requests;
export type RequestData<M extends Method> = z.infer<Requests[M]['data']>;
export type RequestResult<M extends Method> = z.infer<Requests[M]['result']>;
export const METHODS = Object.keys(requests) as Method[];

export const notifications = {
  spaceState: spaceStateSchema,
  spaceEnded: z.object({ spaceId: id, reason: closeReasonSchema }),
  ...stageNotifications,
  ...premiereNotifications,
  ...captionNotifications,
  ...ticketNotifications,
} as const;

export type Notifications = typeof notifications;
export type NotificationName = keyof Notifications;
export type NotificationData<N extends NotificationName> = z.infer<Notifications[N]>;

/** The outer shape of a request; `data` is checked against its method's schema afterwards. */
export const requestEnvelopeSchema = z
  .object({ id: z.number().int().nonnegative(), method: z.string().max(64), data: z.unknown().optional() })
  .strict();

export const wireErrorSchema = z.object({ code: z.enum(ERROR_CODES), message: z.string(), details: z.unknown().optional() });

export const serverMessageSchema = z.union([
  z.object({ id: z.number().int().nullable(), ok: z.literal(true), data: z.unknown() }),
  z.object({ id: z.number().int().nullable(), ok: z.literal(false), error: wireErrorSchema }),
  z.object({ notification: z.enum(Object.keys(notifications) as [NotificationName, ...NotificationName[]]), data: z.unknown() }),
]);

export type ServerMessage = z.infer<typeof serverMessageSchema>;
export type SpaceState = z.infer<typeof spaceStateSchema>;
export type CloseReasonWire = z.infer<typeof closeReasonSchema>;

/** A notification serialised once, to be sent as is to many connections. */
export type NotificationFrame = string & { readonly __brand: 'NotificationFrame' };

export function encodeNotification<N extends NotificationName>(name: N, data: NotificationData<N>): NotificationFrame {
  return JSON.stringify({ notification: name, data }) as NotificationFrame;
}

export function isMethod(name: string): name is Method {
  return Object.hasOwn(requests, name);
}

export type { SpeakRequestWire, StageMember, YourRole } from './stage-protocol.ts';
export { ARTWORK_MAX_CHARS, artworkSchema, nowPlayingTrackSchema, type NowPlayingTrack, type NowPlayingWire } from './premiere-protocol.ts';
export { REACTIONS, type Reaction, type Role } from '../domain/stage.ts';
export type { Caption, CaptionDraft, CaptionStatus } from './caption-protocol.ts';

/** The ticket API's answers (ticket-protocol.ts), for the listener page and the studio. */
export {
  buyerRefundJsonSchema,
  checkoutJsonSchema,
  offerJsonSchema,
  payoutStatusSchema,
  ticketsJsonSchema,
  type BuyerRefundJson,
  type CheckoutJson,
  type OfferJson,
  type PayoutStatusJson,
  type TicketsJson,
} from './ticket-protocol.ts';
/** Ticket prices as the studio's pricing form checks them before asking (the server checks again). */
export { formatAmount, isZeroDecimal, MAX_CAPACITY, maximumAmount, minimumAmount, SUPPORTED_CURRENCIES } from '../domain/ticketing.ts';
