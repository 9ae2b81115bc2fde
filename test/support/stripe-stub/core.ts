/**
 * What every resource of the Stripe stub shares: its state (Stripe-shaped objects by id), typed
 * Stripe errors, ids, the clock, and events. Resources are one file each (accounts, checkout,
 * refunds…) and add routes; `stripe-stub.ts` serves them.
 */
import { randomBytes } from 'node:crypto';
import type { FormObject } from './form.ts';

export type StripeObject = Record<string, unknown> & { id: string; object: string };

export type StubEvent = StripeObject & { type: string; created: number; account?: string; data: { object: StripeObject; previous_attributes?: Record<string, unknown> } };

/** A Stripe API error: `{ error: { type, message, code?, param? } }` with its HTTP status. */
export class StubError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: string | undefined;
  readonly param: string | undefined;

  constructor(status: number, message: string, options: { type?: string; code?: string; param?: string } = {}) {
    super(message);
    this.status = status;
    this.type = options.type ?? 'invalid_request_error';
    this.code = options.code;
    this.param = options.param;
  }

  toJson(): { error: Record<string, unknown> } {
    return { error: { type: this.type, message: this.message, ...(this.code ? { code: this.code } : {}), ...(this.param ? { param: this.param } : {}) } };
  }
}

export const missing = (param: string) => new StubError(400, `Missing required param: ${param}.`, { code: 'parameter_missing', param });
export const invalid = (param: string, message: string) => new StubError(400, message, { code: 'parameter_invalid', param });
export const noSuch = (what: string, id: string, param = 'id') => new StubError(404, `No such ${what}: '${id}'`, { code: 'resource_missing', param });

export type StubState = {
  accounts: Map<string, StripeObject>;
  sessions: Map<string, StripeObject>;
  paymentIntents: Map<string, StripeObject>;
  charges: Map<string, StripeObject>;
  refunds: Map<string, StripeObject>;
  events: StubEvent[];
  /** Anything a resource added by another file keeps (disputes…). */
  extra: Map<string, Map<string, StripeObject>>;
};

export const newState = (): StubState => ({
  accounts: new Map(),
  sessions: new Map(),
  paymentIntents: new Map(),
  charges: new Map(),
  refunds: new Map(),
  events: [],
  extra: new Map(),
});

export type StubContext = {
  state: StubState;
  /** The stub's own address (for hosted pages: Checkout, onboarding). */
  baseUrl: string;
  /** Seconds since the epoch, Stripe's unit (a test may move the stub's clock). */
  now(): number;
  newId(prefix: string): string;
  /** Records an event and delivers it to the webhook endpoint when one is set (in the background). */
  emit(type: string, object: StripeObject, options?: { account?: string; previous?: Record<string, unknown> }): StubEvent;
};

export function randomId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;
}

export type Route = {
  method: 'GET' | 'POST' | 'DELETE';
  path: RegExp;
  handle(ctx: StubContext, params: FormObject, match: RegExpExecArray, stripeAccount: string | undefined): StripeObject | Record<string, unknown>;
};

export type PageAnswer = { status: number; headers?: Record<string, string>; body?: string };

/** A hosted page (Checkout, onboarding): plain HTML for a browser, outside the API's auth. */
export type PageRoute = {
  method: 'GET' | 'POST';
  path: RegExp;
  handle(ctx: StubContext, match: RegExpExecArray): PageAnswer;
};

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
