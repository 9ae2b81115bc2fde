/**
 * Who may consume a ticketed Space's audio (issue #9, point 6), checked when a connection joins:
 * the host, co-hosts and speakers (stored roles) never need a ticket; a listener needs to be signed
 * in with a paid ticket for that Space. A ticket admits one connection at a time: when the same
 * account joins on a second connection, the first is told (`ticketInUse`) and leaves the Space, so
 * a listener whose network dropped simply comes back (the new connection wins) without paying again,
 * and a shared link cannot play in two places at once.
 *
 * The gate is a port of the join handler (`HandlerContext.tickets`); without it every Space is free.
 */
import type { AccountService } from '../accounts/account-service.ts';
import type { KyselyTicketRecords } from '../db/ticket-store.ts';
import type { PeerId, SpaceId } from '../domain/space.ts';
import { mayListen, ticketRequired } from '../domain/ticketing.ts';
import { SpacecraftError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { encodeNotification } from '../signalling/protocol.ts';
import type { OverflowAccess } from '../spaces/overflow-tier.ts';
import type { SpaceRecords, StageRecords } from '../spaces/space-records.ts';

/** The connection joining, as the gate needs it (a signalling `Session`). */
export type TicketedPeer = {
  readonly id: PeerId;
  readonly account: { readonly id: string } | null;
  readonly closed: boolean;
  /** The Space this connection is in now (to leave it when another connection takes its ticket). */
  readonly space: { readonly id: string; leave(peerId: PeerId): Promise<void> } | null;
  send(frame: ReturnType<typeof encodeNotification>): void;
  detach(): void;
  onClosed(listener: () => void): void;
};

export interface TicketGate {
  /** Throws TICKET_REQUIRED unless `peer` may listen to `spaceId`; on success the peer holds the account's ticket seat. */
  admit(peer: TicketedPeer, spaceId: string): Promise<void>;
}

export class TicketAccess implements TicketGate {
  readonly #records: KyselyTicketRecords;
  readonly #spaces: SpaceRecords;
  readonly #stage: StageRecords;
  readonly #log: Logger;
  /** `spaceId account` → the connection using that ticket now. */
  readonly #inUse = new Map<string, TicketedPeer>();

  constructor(deps: { records: KyselyTicketRecords; spaces: SpaceRecords; stage: StageRecords; logger: Logger }) {
    this.#records = deps.records;
    this.#spaces = deps.spaces;
    this.#stage = deps.stage;
    this.#log = deps.logger.child({ module: 'ticket-access' });
  }

  async admit(peer: TicketedPeer, spaceId: string): Promise<void> {
    const offer = await this.#records.offer(spaceId);
    if (!offer) return;
    const account = peer.account;
    if (!account) throw new SpacecraftError('TICKET_REQUIRED', 'This is a ticketed Space: sign in and buy a ticket on its page to listen.');
    if (await this.#onStage(spaceId, account.id)) return;
    const ticket = await this.#records.validTicket(spaceId, account.id);
    if (!mayListen({ ticketed: true, role: 'listener', hasTicket: ticket !== null })) throw ticketRequired();
    if (peer.closed) return;
    const key = `${spaceId} ${account.id}`;
    const previous = this.#inUse.get(key);
    this.#inUse.set(key, peer);
    peer.onClosed(() => {
      if (this.#inUse.get(key) === peer) this.#inUse.delete(key);
    });
    if (previous && previous !== peer && !previous.closed && previous.space?.id === spaceId) {
      this.#log.info({ spaceId, accountId: account.id, from: previous.id, to: peer.id }, 'ticket moved to a new connection');
      previous.send(encodeNotification('ticketInUse', { spaceId }));
      const space = previous.space;
      previous.detach();
      await space.leave(previous.id);
    }
  }

  async #onStage(spaceId: string, accountId: string): Promise<boolean> {
    const space = await this.#spaces.get(spaceId as SpaceId);
    if (space?.hostAccountId === accountId) return true;
    return (await this.#stage.roles(spaceId as SpaceId)).some((role) => role.accountId === accountId);
  }

  /**
   * The same rule for the HLS overflow stream (server/spaces/overflow-tier.ts): a free Space is open;
   * a ticketed one needs the caller's `Authorization: Bearer` session to hold a paid ticket or a seat on stage.
   */
  overflowAccess(accounts: AccountService): OverflowAccess {
    return {
      mayListen: async ({ spaceId, authorization }) => {
        if (!(await this.#records.offer(spaceId))) return true;
        const token = /^Bearer ([^\s]+)$/i.exec(authorization ?? '')?.[1] ?? null;
        if (!token) return false;
        let accountId: string;
        try {
          accountId = (await accounts.authenticate(token)).id;
        } catch {
          return false;
        }
        return (await this.#onStage(spaceId, accountId)) || (await this.#records.validTicket(spaceId, accountId)) !== null;
      },
    };
  }

  /**
   * A ticket stopped being valid (refunded, disputed: the webhook processor and the refund runner
   * call this): the connection listening with it is told (`ticketRevoked`) and leaves the Space.
   * A new join is refused by `admit`, which reads the ticket's status again.
   */
  async revoke(ticket: { spaceId: string; accountId: string }): Promise<void> {
    const key = `${ticket.spaceId} ${ticket.accountId}`;
    const peer = this.#inUse.get(key);
    if (!peer) return;
    this.#inUse.delete(key);
    if (peer.closed || peer.space?.id !== ticket.spaceId) return;
    if (await this.#onStage(ticket.spaceId, ticket.accountId)) return;
    this.#log.info({ spaceId: ticket.spaceId, accountId: ticket.accountId, peer: peer.id }, 'ticket no longer valid: its listener leaves the Space');
    peer.send(encodeNotification('ticketRevoked', { spaceId: ticket.spaceId }));
    const space = peer.space;
    peer.detach();
    await space.leave(peer.id);
  }

  /** Connections holding a ticket seat now (tests, health). */
  get size(): number {
    return this.#inUse.size;
  }
}
