/**
 * One WebSocket connection. Reads requests, checks each against protocol.ts,
 * runs its handler and answers with a result or a typed error. Bad input
 * never closes the connection and never throws out of here.
 *
 * Requests of one connection run one after another, and so does its close:
 * a connection that closes while a request is in flight leaves only after
 * that request is done, so nothing the request made outlives the connection.
 * Limits: requests waiting per connection, bytes waiting to be sent, and a
 * heartbeat that drops a peer which stopped answering pings.
 */
import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { PeerId } from '../domain/space.ts';
import { describeIssues, SpacecraftError, toWireError, type WireError } from '../errors.ts';
import { safeParse } from '../lib/safe-parse.ts';
import type { Logger } from '../logger.ts';
import type { LiveSpace } from '../spaces/live-space.ts';
import { SerialQueue } from '../spaces/serial-queue.ts';
import type { SpacePeer } from '../spaces/space-peer.ts';
import type { HandlerContext, Handlers } from './handlers/handler.ts';
import { isMethod, requestEnvelopeSchema, requests, type NotificationFrame, type ServerMessage, type SignedInAccount } from './protocol.ts';

/** Requests a connection may have waiting or running; more get RATE_LIMITED at once. */
export const MAX_REQUESTS_IN_FLIGHT = 16;
/** A connection whose unsent data passes this is too slow to keep up, and is dropped. */
export const MAX_SEND_BUFFER_BYTES = 1024 * 1024;

/** Where a connection comes from, as the upgrade saw it. */
export type ConnectionInfo = {
  ip: string;
  /** The page's origin, or null for a native client (no Origin header). */
  origin: string | null;
};

export class Session implements SpacePeer {
  readonly id = randomBytes(8).toString('hex') as PeerId;
  readonly info: ConnectionInfo;
  /** The Space this connection is in, and as what. */
  space: LiveSpace | null = null;
  /** The account this connection signed in as (`signIn`), or null for a guest. One per connection. */
  account: SignedInAccount | null = null;
  readonly #socket: WebSocket;
  readonly #handlers: Handlers;
  readonly #context: Omit<HandlerContext, 'session'>;
  #logger: Logger | null = null;
  readonly #queue = new SerialQueue();
  readonly #closeListeners = new Set<() => void>();
  #inFlight = 0;
  #alive = true;
  #closed = false;

  constructor(socket: WebSocket, handlers: Handlers, context: Omit<HandlerContext, 'session'>, info: ConnectionInfo) {
    this.#socket = socket;
    this.#handlers = handlers;
    this.#context = context;
    this.info = info;
    socket.on('message', (raw, isBinary) => this.#onMessage(raw, isBinary));
    socket.on('pong', () => (this.#alive = true));
    socket.on('close', () => this.#onClose());
    socket.on('error', (error) => this.#log.warn({ err: error }, 'socket error'));
  }

  /** Made on first use: most connections never log, and a child logger per join costs. */
  get #log(): Logger {
    return (this.#logger ??= this.#context.logger.child({ module: 'session', peerId: this.id }));
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Called once the connection has closed and everything it held is released. */
  onClosed(listener: () => void): void {
    this.#closeListeners.add(listener);
  }

  send(frame: NotificationFrame): void {
    this.#sendText(frame);
  }

  detach(): void {
    this.space = null;
  }

  /** One heartbeat: drops the connection if it did not answer the last ping, else pings again. */
  heartbeat(): void {
    if (this.#closed) return;
    if (!this.#alive) {
      this.#log.info('no answer to ping; dropping the connection');
      this.#socket.terminate();
      return;
    }
    this.#alive = false;
    this.#socket.ping();
  }

  #onMessage(raw: unknown, isBinary: boolean): void {
    if (this.#closed) return;
    if (this.#inFlight >= MAX_REQUESTS_IN_FLIGHT) {
      this.#reply(requestIdOf(raw, isBinary), { code: 'RATE_LIMITED', message: `At most ${MAX_REQUESTS_IN_FLIGHT} requests may wait at once; wait for answers before sending more.` });
      return;
    }
    this.#inFlight++;
    void this.#queue
      .push(() => this.#receive(raw, isBinary))
      // #receive answers every failure itself; anything that still escapes is logged, never an unhandled rejection.
      .catch((error: unknown) => this.#log.error({ err: error }, 'request could not be read'))
      .finally(() => this.#inFlight--);
  }

  async #receive(raw: unknown, isBinary: boolean): Promise<void> {
    // The connection closed while this request waited: nobody is left to answer.
    if (this.#closed) return;
    if (isBinary) return this.#reply(null, { code: 'MALFORMED_MESSAGE', message: 'Messages must be JSON text.' });
    let json: unknown;
    try {
      json = JSON.parse(toText(raw));
    } catch {
      return this.#reply(null, { code: 'MALFORMED_MESSAGE', message: 'That message is not valid JSON.' });
    }
    const envelope = safeParse(requestEnvelopeSchema, json);
    if (!envelope.success) {
      const maybeId = requestId((json as { id?: unknown } | null)?.id);
      return this.#reply(maybeId, { code: 'MALFORMED_MESSAGE', message: 'A request needs a numeric id, a method and data.', details: describeIssues(envelope.error.issues) });
    }
    const { id, method } = envelope.data;
    if (!isMethod(method)) return this.#reply(id, { code: 'UNKNOWN_METHOD', message: `Unknown method "${method}".` });
    const data = safeParse(requests[method].data, envelope.data.data ?? {});
    if (!data.success) {
      return this.#reply(id, { code: 'VALIDATION', message: `Invalid data for "${method}".`, details: describeIssues(data.error.issues) });
    }
    try {
      const handler = this.#handlers[method] as (ctx: HandlerContext, data: unknown) => Promise<unknown>;
      const result = await handler({ ...this.#context, session: this }, data.data);
      this.#sendText(JSON.stringify({ id, ok: true, data: result } satisfies ServerMessage));
    } catch (error) {
      if (!(error instanceof SpacecraftError)) this.#log.error({ err: error, method }, 'request failed');
      this.#reply(id, toWireError(error));
    }
  }

  #reply(id: number | null, error: WireError): void {
    this.#sendText(JSON.stringify({ id, ok: false, error } satisfies ServerMessage));
  }

  #sendText(text: string): void {
    if (this.#closed || this.#socket.readyState !== this.#socket.OPEN) return;
    this.#socket.send(text);
    if (this.#socket.bufferedAmount > MAX_SEND_BUFFER_BYTES) {
      this.#log.warn({ buffered: this.#socket.bufferedAmount }, 'connection too slow to keep up; dropping it');
      this.#socket.terminate();
    }
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    // Behind whatever request is in flight, so that what it creates is released too.
    void this.#queue.push(async () => {
      const space = this.space;
      this.space = null;
      if (space) await space.leave(this.id).catch((error: unknown) => this.#log.error({ err: error }, 'leave failed'));
      for (const listener of this.#closeListeners) listener();
    });
  }
}

function toText(raw: unknown): string {
  if (Buffer.isBuffer(raw)) return raw.toString('utf8');
  if (Array.isArray(raw)) return Buffer.concat(raw as Buffer[]).toString('utf8');
  return Buffer.from(raw as ArrayBuffer).toString('utf8');
}

/** An id worth echoing in an answer: one the protocol allows (a whole number ≥ 0), else null. */
function requestId(id: unknown): number | null {
  return Number.isSafeInteger(id) && (id as number) >= 0 ? (id as number) : null;
}

/** The id of a request that is refused before it is read in full (best effort). */
function requestIdOf(raw: unknown, isBinary: boolean): number | null {
  if (isBinary) return null;
  try {
    const id = (JSON.parse(toText(raw)) as { id?: unknown })?.id;
    return requestId(id);
  } catch {
    return null;
  }
}
