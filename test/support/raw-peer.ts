/**
 * A signalling client on a bare `ws` socket, for tests that need exact control
 * of timing (send a request and close in the same tick, `terminate()` without a
 * close frame) and of headers (`Origin`). Messages follow
 * server/signalling/protocol.ts; nothing here retries or hides an error.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { types } from 'mediasoup';
import { WebSocket } from 'ws';
import type { WireError } from '../../server/errors.ts';
import {
  serverMessageSchema,
  type Method,
  type NotificationName,
  type RequestData,
  type RequestResult,
} from '../../server/signalling/protocol.ts';

/** How a request ended, as this client saw it. */
export type Reply<M extends Method = Method> =
  | { kind: 'ok'; method: M; data: RequestResult<M> }
  | { kind: 'error'; method: M; error: WireError }
  /** The socket closed before any reply came. */
  | { kind: 'closed'; method: M };

export class RawPeerError extends Error {
  readonly code: WireError['code'];

  constructor(method: Method, error: WireError) {
    super(`${method} failed: ${error.code} ${error.message}`);
    this.name = 'RawPeerError';
    this.code = error.code;
  }
}

export class RawPeer {
  /** Every notification received, in order. */
  readonly notifications: { name: NotificationName; data: unknown }[] = [];
  /** Messages from the server that did not follow the protocol. */
  readonly violations: string[] = [];
  /** Resolves once the socket has closed (either side, any way). */
  readonly closed: Promise<void>;
  readonly #socket: WebSocket;
  readonly #pending = new Map<number, { method: Method; resolve: (reply: Reply) => void }>();
  #nextId = 1;

  static open(url: string, options: { origin?: string } = {}): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, options.origin ? { origin: options.origin } : {});
      socket.once('open', () => resolve(new RawPeer(socket)));
      socket.once('error', reject);
      socket.once('unexpected-response', (request, response) => {
        request.destroy();
        reject(new Error(`the server refused the WebSocket upgrade: HTTP ${response.statusCode}`));
      });
    });
  }

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on('message', (raw) => this.#receive(String(raw)));
    // A reset by the server shows as an error, then close: both are outcomes the tests look at, not failures here.
    socket.on('error', (error) => this.violations.push(`socket error: ${error.message}`));
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        for (const { method, resolve: settle } of this.#pending.values()) settle({ kind: 'closed', method });
        this.#pending.clear();
        resolve();
      }),
    );
  }

  get isOpen(): boolean {
    return this.#socket.readyState === WebSocket.OPEN;
  }

  /** Sends a request now (synchronously, onto the socket) and returns how it ends; on a socket no longer open, `closed` at once. */
  send<M extends Method>(method: M, data: RequestData<M>): Promise<Reply<M>> {
    if (!this.isOpen) return Promise.resolve({ kind: 'closed', method });
    const id = this.#nextId++;
    const reply = new Promise<Reply<M>>((resolve) => this.#pending.set(id, { method, resolve: resolve as (reply: Reply) => void }));
    this.#socket.send(JSON.stringify({ id, method, data }));
    return reply;
  }

  /** Sends a request and resolves with its result; a typed error or a closed socket rejects. */
  async request<M extends Method>(method: M, data: RequestData<M>): Promise<RequestResult<M>> {
    const reply = await this.send(method, data);
    if (reply.kind === 'ok') return reply.data;
    if (reply.kind === 'error') throw new RawPeerError(method, reply.error);
    throw new Error(`${method}: the socket closed before the reply`);
  }

  /** A clean close: a close frame, then the TCP close. */
  close(): void {
    this.#socket.close();
  }

  /** An abrupt close: the TCP socket is destroyed, no close frame. */
  terminate(): void {
    this.#socket.terminate();
  }

  #receive(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.violations.push(`not JSON: ${text.slice(0, 200)}`);
      return;
    }
    const parsed = serverMessageSchema.safeParse(json);
    if (!parsed.success) {
      this.violations.push(`not a server message: ${text.slice(0, 200)}`);
      return;
    }
    const message = parsed.data;
    if ('notification' in message) {
      this.notifications.push({ name: message.notification, data: message.data });
      return;
    }
    const pending = message.id === null ? undefined : this.#pending.get(message.id);
    if (!pending) {
      this.violations.push(`a reply to no request in flight: ${text.slice(0, 200)}`);
      return;
    }
    this.#pending.delete(message.id!);
    pending.resolve(
      message.ok
        ? { kind: 'ok', method: pending.method, data: message.data as RequestResult<Method> }
        : { kind: 'error', method: pending.method, error: message.error },
    );
  }
}

/** DTLS parameters of a remote client endpoint: a syntactically valid SHA-256 fingerprint, role `client`. */
export function clientDtlsParameters(): types.DtlsParameters {
  const fingerprint = randomBytes(32).toString('hex').toUpperCase().match(/../g)!.join(':');
  return { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: fingerprint }] };
}

/** What a browser sends to publish Opus to our router (audio/opus 48 kHz stereo, one encoding). */
export function opusRtpParameters(): types.RtpParameters {
  const ssrc = randomInt(1, 2 ** 31);
  return {
    codecs: [
      {
        mimeType: 'audio/opus',
        payloadType: 111,
        clockRate: 48000,
        channels: 2,
        parameters: { useinbandfec: 1, usedtx: 0 },
        rtcpFeedback: [],
      },
    ],
    headerExtensions: [],
    encodings: [{ ssrc }],
    rtcp: { cname: `raw-peer-${ssrc}`, reducedSize: true },
  };
}
