/**
 * A raw signalling client on the `ws` package: exact control of timing,
 * headers and pongs, for tests that play a hostile or broken client.
 */
import { WebSocket } from 'ws';
import { wsUrl } from './server-fixture.ts';

export type Reply = { id: number | null; ok: boolean; data?: unknown; error?: { code: string; message: string; details?: unknown } };

export type RawClient = {
  socket: WebSocket;
  /** Sends a request and resolves with its reply (never rejects on a typed error). */
  request(method: string, data?: unknown): Promise<Reply>;
  /** Sends without waiting; returns the request id. */
  send(method: string, data?: unknown): number;
  /** Every message received so far, in order. */
  inbox: Array<Record<string, unknown>>;
  /** Resolves with the close code once the socket closes. */
  closed: Promise<number>;
};

/** Opens a raw client; rejects with the HTTP status when the upgrade is refused. */
export function openRaw(serverUrl: string, options: { origin?: string; autoPong?: boolean; headers?: Record<string, string> } = {}): Promise<RawClient> {
  const socket = new WebSocket(wsUrl(serverUrl), { ...(options.origin ? { origin: options.origin } : {}), autoPong: options.autoPong ?? true, headers: options.headers ?? {} });
  const inbox: Array<Record<string, unknown>> = [];
  const waiting = new Map<number, (reply: Reply) => void>();
  let nextId = 1;
  socket.on('message', (raw) => {
    const message = JSON.parse(String(raw)) as Record<string, unknown>;
    inbox.push(message);
    const id = message['id'];
    if (typeof id === 'number' && waiting.has(id)) {
      waiting.get(id)!(message as Reply);
      waiting.delete(id);
    }
  });
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  const send = (method: string, data: unknown = {}) => {
    const id = nextId++;
    socket.send(JSON.stringify({ id, method, data }));
    return id;
  };
  const client: RawClient = {
    socket,
    inbox,
    closed,
    send,
    request: (method, data = {}) =>
      new Promise<Reply>((resolve, reject) => {
        const id = send(method, data);
        waiting.set(id, resolve);
        socket.once('close', () => reject(new Error(`socket closed before the reply to ${method}`)));
      }),
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(client));
    socket.once('unexpected-response', (_request, response) => reject(Object.assign(new Error(`upgrade refused: ${response.statusCode}`), { status: response.statusCode })));
    socket.once('error', (error) => reject(error));
  });
}
