import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PermissionError } from '../errors.ts';
import { MAX_TICKET_CHARS, signTicket, verifyTicket } from './join-ticket.ts';

const SECRET = 'a'.repeat(32);
const now = 1_000_000;
const ticket = { spaceId: 'space1', edgeId: 'edge-a', expiresAt: now + 30_000 };
const expect_ = { spaceId: 'space1', edgeId: 'edge-a', now };

describe('join tickets', () => {
  it('an edge accepts a ticket signed for it', () => {
    expect(verifyTicket(SECRET, signTicket(SECRET, ticket), expect_)).toEqual(ticket);
  });

  it.each([
    ['expired', signTicket(SECRET, ticket), { ...expect_, now: now + 30_001 }, 'expired'],
    ['another Space', signTicket(SECRET, ticket), { ...expect_, spaceId: 'space2' }, 'another Space'],
    ['another edge', signTicket(SECRET, ticket), { ...expect_, edgeId: 'edge-b' }, 'another server'],
    ['another secret', signTicket('b'.repeat(32), ticket), expect_, 'not valid'],
    ['garbage', 'x.y', expect_, 'not valid'],
    ['three parts', `${signTicket(SECRET, ticket)}.x`, expect_, 'not valid'],
    ['too long', 'a'.repeat(MAX_TICKET_CHARS + 1), expect_, 'not valid'],
    ['empty', '', expect_, 'not valid'],
  ])('refuses a ticket for %s', (_name, token, expected, why) => {
    expect(() => verifyTicket(SECRET, token, expected)).toThrow(PermissionError);
    expect(() => verifyTicket(SECRET, token, expected)).toThrow(why);
  });

  it('refuses a ticket whose content was changed after signing', () => {
    const [, signature] = signTicket(SECRET, ticket).split('.');
    const forged = Buffer.from(JSON.stringify({ s: 'space1', e: 'edge-a', x: now + 10_000_000, n: 'x' })).toString('base64url');
    expect(() => verifyTicket(SECRET, `${forged}.${signature}`, expect_)).toThrow('not valid');
  });

  it('refuses a well-signed body that is not a ticket', () => {
    const body = Buffer.from('{"s":1}').toString('base64url');
    const signature = createHmac('sha256', SECRET).update(body).digest('base64url');
    expect(() => verifyTicket(SECRET, `${body}.${signature}`, expect_)).toThrow('not valid');
  });
});
