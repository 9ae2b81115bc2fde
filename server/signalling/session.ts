/**
 * One WebSocket connection. Reads requests, checks each against
 * protocol.ts, runs its handler and answers with a result or a typed error.
 * Bad input never closes the connection and never throws out of here.
 */
import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { PeerId } from '../domain/space.ts';
import { describeIssues, SpacecraftError, toWireError, type WireError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { LiveSpace } from '../spaces/live-space.ts';
import type { SpacePeer } from '../spaces/space-peer.ts';
import type { Handlers, HandlerContext } from './handlers/handler.ts';
import { SerialQueue } from '../spaces/serial-queue.ts';
import {
  isMethod,
  MAX_MESSAGE_BYTES,
  requestEnvelopeSchema,
  requests,
  type NotificationData,
  type NotificationName,
  type ServerMessage,
} from './protocol.ts';

export class Session implements SpacePeer {
  readonly id = randomBytes(8).toString('hex') as PeerId;
  /** The Space this connection is in, and as what. */
  space: LiveSpace | null = null;
  readonly #socket: WebSocket;
  readonly #handlers: Handlers;
  readonly #context: Omit<HandlerContext, 'session'>;
  readonly #log: Logger;
  readonly #queue = new SerialQueue();
  #closed = false;

  constructor(socket: WebSocket, handlers: Handlers, context: Omit<HandlerContext, 'session'>) {
    this.#socket = socket;
    this.#handlers = handlers;
    this.#context = context;
    this.#log = context.logger.child({ module: 'session', peerId: this.id });
    socket.on('message', (raw, isBinary) => void this.#queue.push(() => this.#receive(raw, isBinary)));
    socket.on('close', () => this.#onClose());
    socket.on('error', (error) => this.#log.warn({ err: error }, 'socket error'));
  }

  notify<N extends NotificationName>(name: N, data: NotificationData<N>): void {
    this.#send({ notification: name, data });
  }

  detach(): void {
    this.space = null;
  }

  async #receive(raw: unknown, isBinary: boolean): Promise<void> {
    const bytes = Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw as ArrayBuffer);
    if (bytes.length > MAX_MESSAGE_BYTES) {
      return this.#reply(null, { code: 'MESSAGE_TOO_LARGE', message: `Messages may be at most ${MAX_MESSAGE_BYTES} bytes.`, details: { bytes: bytes.length } });
    }
    if (isBinary) return this.#reply(null, { code: 'MALFORMED_MESSAGE', message: 'Messages must be JSON text.' });
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch {
      return this.#reply(null, { code: 'MALFORMED_MESSAGE', message: 'That message is not valid JSON.' });
    }
    const envelope = requestEnvelopeSchema.safeParse(json);
    if (!envelope.success) {
      const maybeId = typeof (json as { id?: unknown })?.id === 'number' ? (json as { id: number }).id : null;
      return this.#reply(maybeId, { code: 'MALFORMED_MESSAGE', message: 'A request needs a numeric id, a method and data.', details: describeIssues(envelope.error.issues) });
    }
    const { id, method } = envelope.data;
    if (!isMethod(method)) return this.#reply(id, { code: 'UNKNOWN_METHOD', message: `Unknown method "${method}".` });
    const data = requests[method].data.safeParse(envelope.data.data ?? {});
    if (!data.success) {
      return this.#reply(id, { code: 'VALIDATION', message: `Invalid data for "${method}".`, details: describeIssues(data.error.issues) });
    }
    try {
      const handler = this.#handlers[method] as (ctx: HandlerContext, data: unknown) => Promise<unknown>;
      const result = await handler({ ...this.#context, session: this }, data.data);
      this.#send({ id, ok: true, data: result });
    } catch (error) {
      if (!(error instanceof SpacecraftError)) this.#log.error({ err: error, method }, 'request failed');
      this.#reply(id, toWireError(error));
    }
  }

  #reply(id: number | null, error: WireError): void {
    this.#send({ id, ok: false, error });
  }

  #send(message: ServerMessage): void {
    if (this.#closed || this.#socket.readyState !== this.#socket.OPEN) return;
    this.#socket.send(JSON.stringify(message));
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    const space = this.space;
    this.space = null;
    if (space) void space.leave(this.id).catch((error: unknown) => this.#log.error({ err: error }, 'leave failed'));
  }
}
