/**
 * Join tickets: what the stateless join endpoint hands a listener for one edge. A ticket names
 * the Space, the edge and when it expires, signed with HMAC-SHA256 under the cluster's shared
 * secret, so any node can sign and the edge checks it without asking anyone.
 *
 *   base64url(JSON {s, e, x, n}) "." base64url(HMAC(secret, first part))
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { PermissionError } from '../errors.ts';

/** Longest ticket an edge reads (anything longer is refused unread). */
export const MAX_TICKET_CHARS = 512;

export type JoinTicket = { spaceId: string; edgeId: string; expiresAt: number };

const payloadSchema = z.object({ s: z.string().max(64), e: z.string().max(64), x: z.number().int(), n: z.string().max(32) }).strict();

const mac = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest();

export function signTicket(secret: string, ticket: JoinTicket): string {
  const body = Buffer.from(JSON.stringify({ s: ticket.spaceId, e: ticket.edgeId, x: ticket.expiresAt, n: randomBytes(6).toString('base64url') })).toString('base64url');
  return `${body}.${mac(secret, body).toString('base64url')}`;
}

/** The ticket's content, if it is genuine, unexpired and for this Space on this edge; else a PermissionError. */
export function verifyTicket(secret: string, token: string, expect: { spaceId: string; edgeId: string; now: number }): JoinTicket {
  const refuse = (why: string) => new PermissionError(`This join ticket ${why}; ask the Space's link again for a new one.`);
  if (token.length > MAX_TICKET_CHARS) throw refuse('is not valid');
  const [body, signature, extra] = token.split('.');
  if (!body || !signature || extra !== undefined) throw refuse('is not valid');
  const given = Buffer.from(signature, 'base64url');
  const wanted = mac(secret, body);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) throw refuse('is not valid');
  let payload: z.infer<typeof payloadSchema>;
  try {
    payload = payloadSchema.parse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
  } catch {
    throw refuse('is not valid');
  }
  if (payload.x < expect.now) throw refuse('has expired');
  if (payload.s !== expect.spaceId) throw refuse('is for another Space');
  if (payload.e !== expect.edgeId) throw refuse('is for another server');
  return { spaceId: payload.s, edgeId: payload.e, expiresAt: payload.x };
}
