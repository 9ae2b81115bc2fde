/**
 * A typed WebSocket client of the signalling protocol (server/signalling/protocol.ts):
 * `request('joinSpace', { spaceId })` resolves with the method's checked result
 * or rejects with a `SignallingError` carrying the server's error code.
 */
import { ReceivedError } from '../../server/errors.ts';
import {
  notifications,
  requests,
  serverMessageSchema,
  type Method,
  type NotificationData,
  type NotificationName,
  type RequestData,
  type RequestResult,
} from '../../server/signalling/protocol.ts';

/** A typed error from the server, e.g. `code: 'SPACE_ENDED'`. */
export class SignallingError extends ReceivedError {
  override readonly name = 'SignallingError';
}

type Pending = { method: Method; resolve: (data: unknown) => void; reject: (error: Error) => void };

export class SignallingClient {
  readonly #socket: WebSocket;
  readonly #pending = new Map<number, Pending>();
  readonly #listeners = new Map<NotificationName, Set<(data: never) => void>>();
  readonly #closeListeners = new Set<() => void>();
  #nextId = 1;

  static connect(url: string, timeoutMs = 10_000): Promise<SignallingClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      const timer = setTimeout(() => {
        socket.close();
        reject(new SignallingError({ code: 'UNAVAILABLE', message: 'The server did not answer.' }));
      }, timeoutMs);
      socket.addEventListener('open', () => {
        clearTimeout(timer);
        resolve(new SignallingClient(socket));
      }, { once: true });
      socket.addEventListener('error', () => {
        clearTimeout(timer);
        reject(new SignallingError({ code: 'UNAVAILABLE', message: 'Could not reach the server.' }));
      }, { once: true });
    });
  }

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.addEventListener('message', (event) => this.#receive(event.data));
    socket.addEventListener('close', () => {
      for (const pending of this.#pending.values()) pending.reject(new SignallingError({ code: 'UNAVAILABLE', message: 'The connection to the server was lost.' }));
      this.#pending.clear();
      for (const listener of this.#closeListeners) listener();
    });
  }

  get open(): boolean {
    return this.#socket.readyState === WebSocket.OPEN;
  }

  request<M extends Method>(method: M, data: RequestData<M>): Promise<RequestResult<M>> {
    if (!this.open) return Promise.reject(new SignallingError({ code: 'UNAVAILABLE', message: 'Not connected to the server.' }));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { method, resolve: resolve as (data: unknown) => void, reject });
      this.#socket.send(JSON.stringify({ id, method, data }));
    });
  }

  on<N extends NotificationName>(name: N, listener: (data: NotificationData<N>) => void): () => void {
    let set = this.#listeners.get(name);
    if (!set) this.#listeners.set(name, (set = new Set()));
    set.add(listener as (data: never) => void);
    return () => set.delete(listener as (data: never) => void);
  }

  onClose(listener: () => void): () => void {
    this.#closeListeners.add(listener);
    return () => this.#closeListeners.delete(listener);
  }

  close(): void {
    this.#socket.close();
  }

  #receive(raw: unknown): void {
    if (typeof raw !== 'string') return;
    let parsed;
    try {
      parsed = serverMessageSchema.safeParse(JSON.parse(raw));
    } catch {
      return;
    }
    if (!parsed.success) return;
    const message = parsed.data;
    if ('notification' in message) {
      const data = notifications[message.notification].safeParse(message.data);
      if (!data.success) return;
      for (const listener of this.#listeners.get(message.notification) ?? []) (listener as (d: unknown) => void)(data.data);
      return;
    }
    const pending = message.id === null ? undefined : this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id!);
    if (!message.ok) return pending.reject(new SignallingError(message.error));
    const result = requests[pending.method].result.safeParse(message.data);
    if (result.success) pending.resolve(result.data);
    else pending.reject(new SignallingError({ code: 'INTERNAL', message: 'The server sent an answer this page cannot read.' }));
  }
}

/** The signalling URL of a server given its base http(s) URL. */
export function signallingUrl(serverUrl: string): string {
  const url = new URL('/ws', serverUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}
