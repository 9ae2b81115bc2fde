/**
 * Listeners on an edge node. They speak the same signalling protocol as on a single server, on
 * the same socket: `joinSpace` with the ticket the join endpoint signed for this edge (checked
 * here, nobody asked), then one receiving transport and a consumer per stage producer, from the
 * Space fed to this node. The edge only listens: anything else is refused.
 * State reaches them as the origin published it, one frame per Space per heartbeat at most,
 * serialised once for every listener of the Space here.
 */
import { PermissionError, SpacecraftError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Handler, HandlerContext, Handlers } from '../signalling/handlers/handler.ts';
import { encodeNotification, type RequestResult } from '../signalling/protocol.ts';
import type { Session } from '../signalling/session.ts';
import type { FedSpace } from './fed-space.ts';
import type { Feeds } from './feeds.ts';
import { verifyTicket } from './join-ticket.ts';

export type EdgeListenersDeps = { feeds: Feeds; secret: string; nodeId: string; capacity: number; logger: Logger };

export class EdgeListeners {
  readonly #deps: EdgeListenersDeps;
  readonly #log: Logger;
  readonly #in = new Map<Session, FedSpace>();
  readonly #bySpace = new Map<FedSpace, Set<Session>>();

  constructor(deps: EdgeListenersDeps) {
    this.#deps = deps;
    this.#log = deps.logger.child({ module: 'edge-listeners' });
    deps.feeds.onMade((fed) => this.#follow(fed));
  }

  get count(): number {
    return this.#in.size;
  }

  countIn(spaceId: string): number {
    for (const [fed, sessions] of this.#bySpace) if (fed.spaceId === spaceId) return sessions.size;
    return 0;
  }

  /** Listener counts per Space here (written to Redis every ~2 s by the node). */
  counts(): Map<string, number> {
    return new Map([...this.#bySpace].map(([fed, sessions]) => [fed.spaceId, sessions.size]));
  }

  /** The protocol's handlers, with a ticketed join and the listener's media served from fed Spaces. */
  handlers(base: Handlers): Handlers {
    const media = <M extends 'createTransport' | 'connectTransport' | 'consume' | 'resumeConsumer'>(method: M, run: (fed: FedSpace, ctx: HandlerContext, data: Parameters<Handler<M>>[1]) => Promise<RequestResult<M>>): Handler<M> =>
      async (ctx, data) => {
        const fed = this.#in.get(ctx.session);
        return fed ? run(fed, ctx, data) : (base[method] as Handler<M>)(ctx, data);
      };
    const refuse: Handler<'createSpace'> = async () => {
      throw new PermissionError('This server only carries listeners; host on the origin server.');
    };
    return {
      ...base,
      createSpace: refuse,
      resumeSpace: refuse as unknown as Handler<'resumeSpace'>,
      joinSpace: async (ctx, data) => (data.ticket === undefined ? base.joinSpace(ctx, data) : this.#join(ctx, data.spaceId, data.ticket)),
      createTransport: media('createTransport', async (fed, ctx, data) => {
        if (data.direction !== 'recv') throw new PermissionError('Listeners on this server only receive audio.');
        return fed.room.createTransport(ctx.session.id, 'recv');
      }),
      connectTransport: media('connectTransport', async (fed, ctx, data) => {
        await fed.room.connectTransport(ctx.session.id, data.transportId, data.dtlsParameters);
        return {};
      }),
      consume: media('consume', async (fed, ctx, data) => fed.room.consume(ctx.session.id, data.transportId, data.producerId, data.rtpCapabilities)),
      resumeConsumer: media('resumeConsumer', async (fed, ctx, data) => {
        await fed.room.resumeConsumer(ctx.session.id, data.consumerId);
        return {};
      }),
      // A page that pre-joined an edge listens from its click on: an edge counts it from the join (its count is coarse anyway).
      startListening: async (ctx, data) => (this.#in.has(ctx.session) ? {} : base.startListening(ctx, data)),
    };
  }

  async #join(ctx: HandlerContext, spaceId: string, ticket: string): Promise<RequestResult<'joinSpace'>> {
    const session = ctx.session;
    if (session.space || this.#in.has(session)) throw new SpacecraftError('INVALID_STATE', 'This connection is already in a Space.');
    verifyTicket(this.#deps.secret, ticket, { spaceId, edgeId: this.#deps.nodeId, now: Date.now() });
    await ctx.limits.join(session.info.ip);
    if (this.#in.size >= this.#deps.capacity) throw new SpacecraftError('UNAVAILABLE', 'This server is full; ask the Space\'s link again for another one.');
    const fed = await this.#deps.feeds.get(spaceId);
    if (session.closed || fed.closed) throw new SpacecraftError('INVALID_STATE', 'The connection or the Space closed while joining.');
    this.#in.set(session, fed);
    let sessions = this.#bySpace.get(fed);
    if (!sessions) this.#bySpace.set(fed, (sessions = new Set()));
    sessions.add(session);
    session.onClosed(() => this.#leave(session));
    return { space: fed.state(), routerRtpCapabilities: fed.room.rtpCapabilities, you: { peerId: session.id, role: 'listener', requestPending: false } };
  }

  #leave(session: Session): void {
    const fed = this.#in.get(session);
    if (!fed) return;
    this.#in.delete(session);
    this.#bySpace.get(fed)?.delete(session);
    fed.room.closePeer(session.id);
  }

  #follow(fed: FedSpace): void {
    fed.on('state', (state) => {
      const sessions = this.#bySpace.get(fed);
      if (!sessions?.size) return;
      const frame = encodeNotification('spaceState', state);
      for (const session of sessions) session.send(frame);
    });
    fed.on('ended', (reason) => {
      const sessions = this.#bySpace.get(fed) ?? new Set<Session>();
      this.#bySpace.delete(fed);
      const frame = encodeNotification('spaceEnded', { spaceId: fed.spaceId, reason });
      for (const session of sessions) {
        this.#in.delete(session);
        session.send(frame);
      }
      if (sessions.size) this.#log.info({ spaceId: fed.spaceId, listeners: sessions.size, reason }, 'Space ended; listeners told');
    });
  }
}
