/**
 * A local push service for tests: an HTTP server that takes Web Push requests at
 * `/push/<id>`, checks the VAPID header, decrypts the payload with that subscription's keys
 * (test/support/web-push-decrypt.ts) and keeps what arrived. Like a real push service it replaces
 * an undelivered message with the same Topic (`unique()` counts one per topic and subscription),
 * answers 410 Gone for a subscription marked gone, and can fail the next requests with 503.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { TestInbox } from './test-inbox.ts';
import { decryptAes128gcm, newSubscriptionKeys, verifyVapid, type SubscriptionKeys } from './web-push-decrypt.ts';

export type PushMessage = { subscription: string; topic: string | null; urgency: string | null; ttl: string | null; payload: { title: string; body: string; url: string; tag: string }; vapidKey: string };
export type TestSubscription = { id: string; endpoint: string; keys: { p256dh: string; auth: string } };

export class PushEndpoint extends TestInbox<PushMessage> {
  readonly errors: string[] = [];
  readonly #keys = new Map<string, SubscriptionKeys>();
  readonly #gone = new Set<string>();
  readonly #server: Server;
  origin = '';

  private constructor() {
    super('push');
    this.#server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const id = /^\/push\/([\w-]+)$/.exec(request.url ?? '')?.[1];
        const keys = id ? this.#keys.get(id) : undefined;
        if (!id || !keys || request.method !== 'POST') return void response.writeHead(404).end();
        if (this.#gone.has(id)) return void response.writeHead(410).end();
        if (this.refuseThisOne()) return void response.writeHead(503).end();
        try {
          if (request.headers['content-encoding'] !== 'aes128gcm') throw new Error(`content-encoding ${request.headers['content-encoding']}`);
          const { k } = verifyVapid(request.headers.authorization, this.origin);
          const payload = JSON.parse(decryptAes128gcm(Buffer.concat(chunks), keys)) as PushMessage['payload'];
          const message: PushMessage = { subscription: id, topic: header(request.headers['topic']), urgency: header(request.headers['urgency']), ttl: header(request.headers['ttl']), payload, vapidKey: k };
          this.afterAcceptDelay(() => {
            this.keep(message);
            response.writeHead(201).end();
          });
        } catch (error) {
          this.errors.push(String(error));
          response.writeHead(400).end();
        }
      });
    });
  }

  static async start(): Promise<PushEndpoint> {
    const endpoint = new PushEndpoint();
    endpoint.origin = `http://127.0.0.1:${await endpoint.listen(endpoint.#server)}`;
    return endpoint;
  }

  /** Every accepted message, in order. */
  get messages(): PushMessage[] {
    return this.received;
  }

  /** A new browser subscription (its keys stay here, to decrypt what arrives for it). */
  subscription(): TestSubscription {
    const id = randomUUID();
    const keys = newSubscriptionKeys();
    this.#keys.set(id, keys);
    return { id, endpoint: `${this.origin}/push/${id}`, keys: { p256dh: keys.p256dh, auth: keys.auth } };
  }

  markGone(id: string): void {
    this.#gone.add(id);
  }

  /** One message per (subscription, Topic): what a browser shows when re-sends replace each other. */
  unique(): PushMessage[] {
    const seen = new Map<string, PushMessage>();
    for (const message of this.messages) seen.set(`${message.subscription} ${message.topic ?? randomUUID()}`, message);
    return [...seen.values()];
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

function header(value: string | string[] | undefined): string | null {
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}
