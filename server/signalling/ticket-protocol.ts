/**
 * Ticketed Spaces' part of the signalling protocol, merged into protocol.ts's notification map.
 *
 *   ticketInUse { spaceId }   to a listener's connection when the same account's ticket opened the
 *                             Space on another connection: this one left the Space (a ticket admits
 *                             one connection at a time; the newest wins, so a dropped network comes back)
 *
 * A listener without a ticket who joins a ticketed Space gets TICKET_REQUIRED as the join's answer.
 */
import { z } from 'zod';

export const ticketNotifications = {
  ticketInUse: z.object({ spaceId: z.string().max(64) }),
} as const;
