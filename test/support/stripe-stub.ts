/**
 * A local Stripe: an HTTP server speaking the part of Stripe's API Spacecraft calls, for the real
 * `stripe` SDK pointed at it (`SPACECRAFT_STRIPE_API_URL`). Form-encoded bodies as the SDK sends
 * them, Stripe-shaped JSON objects and errors, the secret key checked, and `Idempotency-Key`
 * honoured (the same key answers the same response; reused with other parameters, an
 * `idempotency_error`). Hosted pages stand in for Checkout and Express onboarding.
 *
 * Events (`checkout.session.completed`, `…expired`, `account.updated`, `charge.refunded`…) are
 * recorded and POSTed to `webhookUrl` when one is set, signed with the SDK's own
 * `webhooks.generateTestHeaderString`. Tests drive the buyer's side with `payCheckout`,
 * `expireCheckout`, `settleDelayedPayment`, `finishOnboarding`, and may redeliver an event
 * (`deliver(event, { times })`) or make the next matching call fail (`failNext`).
 *
 * Resources live one per file in `stripe-stub/`; add routes there.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { accountPages, accountRoutes, setOnboarded } from './stripe-stub/accounts.ts';
import { checkoutPages, checkoutRoutes, expireSession, paySession, settleDelayedPayment } from './stripe-stub/checkout.ts';
import { newState, randomId, StubError, type PageRoute, type Route, type StripeObject, type StubContext, type StubEvent, type StubState } from './stripe-stub/core.ts';
import { decodeForm, type FormObject } from './stripe-stub/form.ts';
import { refundRoutes } from './stripe-stub/refunds.ts';

export const STUB_SECRET_KEY = 'sk_test_spacecraftstub000000000000';
export const STUB_WEBHOOK_SECRET = 'whsec_spacecraftstub000000000000000000';

export type StubRequestLog = { method: string; path: string; params: FormObject; idempotencyKey: string | null; stripeAccount: string | null; status: number };
export type Delivery = { eventId: string; type: string; status: number | null; error?: string };

type Fault = { method: string; path: RegExp; status: number; message: string; times: number };

export class StripeStub {
  readonly state: StubState = newState();
  readonly requests: StubRequestLog[] = [];
  readonly deliveries: Delivery[] = [];
  readonly secretKey: string;
  readonly webhookSecret: string;
  /** Where events are POSTed (null: recorded only). */
  webhookUrl: string | null;
  /** Seconds added to the stub's clock (Stripe's `created`, `expires_at` checks). */
  clockOffsetSeconds = 0;
  readonly #server: Server;
  readonly #routes: Route[] = [...accountRoutes, ...checkoutRoutes, ...refundRoutes];
  readonly #pages: PageRoute[] = [...accountPages, ...checkoutPages];
  readonly #idempotent = new Map<string, { hash: string; status: number; body: string }>();
  readonly #faults: Fault[] = [];
  readonly #pending = new Set<Promise<unknown>>();
  #url = '';

  private constructor(options: { secretKey?: string; webhookSecret?: string; webhookUrl?: string | null }) {
    this.secretKey = options.secretKey ?? STUB_SECRET_KEY;
    this.webhookSecret = options.webhookSecret ?? STUB_WEBHOOK_SECRET;
    this.webhookUrl = options.webhookUrl ?? null;
    this.#server = createServer((request, response) => void this.#serve(request, response));
  }

  static async start(options: { secretKey?: string; webhookSecret?: string; webhookUrl?: string | null } = {}): Promise<StripeStub> {
    const stub = new StripeStub(options);
    await new Promise<void>((resolve, reject) => {
      stub.#server.once('error', reject);
      stub.#server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = stub.#server.address() as AddressInfo;
    stub.#url = `http://127.0.0.1:${port}`;
    return stub;
  }

  /** `http://127.0.0.1:<port>`: give it to the server as SPACECRAFT_STRIPE_API_URL. */
  get url(): string {
    return this.#url;
  }

  /** The server's environment for this stub. */
  env(): Record<string, string> {
    return { SPACECRAFT_STRIPE_SECRET_KEY: this.secretKey, SPACECRAFT_STRIPE_WEBHOOK_SECRET: this.webhookSecret, SPACECRAFT_STRIPE_API_URL: this.#url };
  }

  /** Resources other files add (disputes…): registered before the built-in ones. */
  addRoutes(routes: Route[], pages: PageRoute[] = []): void {
    this.#routes.unshift(...routes);
    this.#pages.unshift(...pages);
  }

  /** The next `times` calls of `method` on a path matching `path` answer this Stripe error instead. */
  failNext(method: string, path: RegExp, options: { status?: number; message?: string; times?: number } = {}): void {
    this.#faults.push({ method, path, status: options.status ?? 500, message: options.message ?? 'An unexpected error occurred (stub fault).', times: options.times ?? 1 });
  }

  get context(): StubContext {
    return {
      state: this.state,
      baseUrl: this.#url,
      now: () => Math.floor(Date.now() / 1000) + this.clockOffsetSeconds,
      newId: randomId,
      emit: (type, object, options) => this.emit(type, object, options),
    };
  }

  // ── The buyer's and the host's side ─────────────────────────────────────

  payCheckout(sessionId: string, options: { paid?: boolean } = {}): StripeObject {
    return paySession(this.context, sessionId, options);
  }

  expireCheckout(sessionId: string): StripeObject {
    return expireSession(this.context, sessionId);
  }

  settleDelayedPayment(sessionId: string, succeeded: boolean): StripeObject {
    return settleDelayedPayment(this.context, sessionId, succeeded);
  }

  finishOnboarding(accountId: string, done = true): StripeObject {
    return setOnboarded(this.context, accountId, done);
  }

  /** The checkout sessions created so far, oldest first. */
  sessions(): StripeObject[] {
    return [...this.state.sessions.values()];
  }

  // ── Events ──────────────────────────────────────────────────────────────

  /** Records an event and, when `webhookUrl` is set, delivers it in the background (see `idle()`). */
  emit(type: string, object: StripeObject, options: { account?: string; previous?: Record<string, unknown> } = {}): StubEvent {
    const event: StubEvent = {
      id: randomId('evt'),
      object: 'event',
      api_version: Stripe.API_VERSION,
      created: this.context.now(),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
      ...(options.account ? { account: options.account } : {}),
      data: { object: structuredClone(object), ...(options.previous ? { previous_attributes: options.previous } : {}) },
    };
    this.state.events.push(event);
    if (this.webhookUrl) this.#track(this.deliver(event));
    return event;
  }

  /** The Stripe-Signature header for a payload, as Stripe signs it (the SDK's own test helper). */
  signature(payload: string, options: { secret?: string; timestamp?: number } = {}): string {
    return Stripe.webhooks.generateTestHeaderString({ payload, secret: options.secret ?? this.webhookSecret, ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }) });
  }

  /** POSTs the event to `webhookUrl` `times` times (in sequence); the answers' statuses. */
  async deliver(event: StubEvent, options: { times?: number; url?: string } = {}): Promise<number[]> {
    const url = options.url ?? this.webhookUrl;
    if (!url) throw new Error('the stub has no webhook URL');
    const payload = JSON.stringify(event, null, 2);
    const statuses: number[] = [];
    for (let i = 0; i < (options.times ?? 1); i++) {
      try {
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': this.signature(payload), 'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' }, body: payload });
        await response.arrayBuffer();
        statuses.push(response.status);
        this.deliveries.push({ eventId: event.id, type: event.type, status: response.status });
      } catch (error) {
        statuses.push(0);
        this.deliveries.push({ eventId: event.id, type: event.type, status: null, error: (error as Error).message });
      }
    }
    return statuses;
  }

  /** Resolves when every background delivery so far has been answered. */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  #track(promise: Promise<unknown>): void {
    const tracked = promise.catch(() => undefined).finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
  }

  async close(): Promise<void> {
    await this.idle();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  // ── HTTP ────────────────────────────────────────────────────────────────

  async #serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(request.url ?? '/', this.#url);
    const method = request.method ?? 'GET';
    const send = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      const text = typeof json === 'string' ? json : JSON.stringify(json);
      response.writeHead(status, { 'content-type': 'application/json', 'request-id': randomId('req'), ...headers });
      response.end(text);
      return { status, text };
    };

    if (!url.pathname.startsWith('/v1/')) {
      for (const page of this.#pages) {
        const match = page.method === method ? page.path.exec(url.pathname) : null;
        if (!match) continue;
        try {
          const answer = page.handle(this.context, match);
          response.writeHead(answer.status, answer.headers ?? {});
          response.end(answer.body ?? '');
        } catch (error) {
          response.writeHead(error instanceof StubError ? error.status : 500, { 'content-type': 'text/plain' });
          response.end((error as Error).message);
        }
        return;
      }
      send(404, new StubError(404, 'Not found').toJson());
      return;
    }

    let params: FormObject;
    try {
      params = decodeForm(method === 'GET' || method === 'DELETE' ? url.search.slice(1) : body);
    } catch (error) {
      send(400, new StubError(400, (error as Error).message).toJson());
      return;
    }
    const idempotencyKey = (request.headers['idempotency-key'] as string | undefined) ?? null;
    const stripeAccount = (request.headers['stripe-account'] as string | undefined) ?? null;
    const log: StubRequestLog = { method, path: url.pathname, params, idempotencyKey, stripeAccount, status: 0 };
    this.requests.push(log);

    if (request.headers.authorization !== `Bearer ${this.secretKey}`) {
      log.status = send(401, new StubError(401, 'Invalid API Key provided.', { code: 'api_key_invalid' }).toJson()).status;
      return;
    }
    const cacheKey = idempotencyKey && method === 'POST' ? `${stripeAccount ?? ''} ${idempotencyKey}` : null;
    const hash = createHash('sha256').update(`${method} ${url.pathname} ${body}`).digest('hex');
    if (cacheKey) {
      const seen = this.#idempotent.get(cacheKey);
      if (seen && seen.hash !== hash) {
        log.status = send(400, new StubError(400, `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`, { type: 'idempotency_error' }).toJson()).status;
        return;
      }
      if (seen) {
        log.status = send(seen.status, seen.body, { 'idempotent-replayed': 'true' }).status;
        return;
      }
    }
    const fault = this.#faults.find((f) => f.method === method && f.path.test(url.pathname));
    if (fault) {
      if (--fault.times <= 0) this.#faults.splice(this.#faults.indexOf(fault), 1);
      // A fault is not remembered under the key: Stripe does not store 500s, a retry runs again.
      log.status = send(fault.status, new StubError(fault.status, fault.message, { type: fault.status >= 500 ? 'api_error' : 'invalid_request_error' }).toJson()).status;
      return;
    }
    let status = 200;
    let answer: unknown;
    const route = this.#routes.find((r) => r.method === method && r.path.test(url.pathname));
    try {
      if (!route) throw new StubError(404, `Unrecognized request URL (${method}: ${url.pathname}).`);
      answer = route.handle(this.context, params, route.path.exec(url.pathname)!, stripeAccount ?? undefined);
    } catch (error) {
      if (!(error instanceof StubError)) throw error;
      status = error.status;
      answer = error.toJson();
    }
    const sent = send(status, answer);
    log.status = status;
    if (cacheKey && status < 500) this.#idempotent.set(cacheKey, { hash, status, body: sent.text });
  }
}
