/**
 * A minimal client of our signalling protocol (server/signalling/protocol.ts)
 * for load: requests with ids, and notifications counted without parsing
 * (a `spaceState` frame is recognised by its first bytes; only the last one is kept).
 */
import WebSocket from 'ws';

const SPACE_STATE_PREFIX = Buffer.from('{"notification":"spaceState"');

type Pending = { resolve(data: unknown): void; reject(error: Error): void };

export class SignallingClient {
  readonly #socket: WebSocket;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  /** spaceState frames received, and the last one's raw text. */
  spaceStates = 0;
  lastSpaceState: Buffer | null = null;
  otherNotifications = 0;
  closed = false;

  static connect(url: string, options: { origin?: string } = {}): Promise<SignallingClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { ...(options.origin ? { origin: options.origin } : {}), perMessageDeflate: false });
      const client = new SignallingClient(socket);
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
    });
  }

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on('message', (raw: Buffer) => this.#onMessage(raw));
    socket.on('close', () => {
      this.closed = true;
      for (const p of this.#pending.values()) p.reject(new Error('socket closed'));
      this.#pending.clear();
    });
    socket.on('error', () => undefined);
  }

  request<T = Record<string, unknown>>(method: string, data: unknown = {}): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (d: unknown) => void, reject });
      this.#socket.send(JSON.stringify({ id, method, data }));
    });
  }

  lastListenerCount(): number | null {
    if (!this.lastSpaceState) return null;
    return (JSON.parse(this.lastSpaceState.toString('utf8')) as { data: { listenerCount: number } }).data.listenerCount;
  }

  close(): void {
    this.#socket.terminate();
  }

  #onMessage(raw: Buffer): void {
    if (raw.length >= SPACE_STATE_PREFIX.length && raw.subarray(0, SPACE_STATE_PREFIX.length).equals(SPACE_STATE_PREFIX)) {
      this.spaceStates++;
      this.lastSpaceState = raw;
      return;
    }
    const message = JSON.parse(raw.toString('utf8')) as { id?: number; ok?: boolean; data?: unknown; error?: { code: string; message: string }; notification?: string };
    if (message.notification) {
      this.otherNotifications++;
      return;
    }
    const pending = message.id != null ? this.#pending.get(message.id) : undefined;
    if (!pending) return;
    this.#pending.delete(message.id!);
    if (message.ok) pending.resolve(message.data);
    else pending.reject(new Error(`${message.error?.code}: ${message.error?.message}`));
  }
}
