/**
 * The official `stripe` SDK, configured once from the server's config (key, API address for the
 * test stub), and the few calls ticketing makes, each with an idempotency key where it creates
 * something. Stripe's errors become typed errors: PAYMENT_FAILED (Stripe refused or failed; the
 * detail goes to the log, not the caller). Without a secret key there is no client and every
 * ticketing call answers PAYMENTS_UNAVAILABLE.
 */
import Stripe from 'stripe';
import { SpacecraftError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { StripeConfig } from './stripe-config.ts';

export function paymentsUnavailable(): SpacecraftError {
  return new SpacecraftError('PAYMENTS_UNAVAILABLE', 'Ticket sales need Stripe to be connected on this server.');
}

export type CheckoutRequest = {
  spaceId: string;
  spaceTitle: string;
  buyerAccountId: string;
  holdId: string;
  currency: string;
  amount: number;
  platformFee: number;
  destination: string;
  expiresAt: Date;
  successUrl: string;
  cancelUrl: string;
};

export class StripeClient {
  readonly sdk: Stripe;
  readonly webhookSecret: string | null;
  readonly #log: Logger;

  private constructor(sdk: Stripe, webhookSecret: string | null, logger: Logger) {
    this.sdk = sdk;
    this.webhookSecret = webhookSecret;
    this.#log = logger;
  }

  /** The client, or null when no secret key is configured (ticket sales off). */
  static create(config: StripeConfig, logger: Logger): StripeClient | null {
    if (!config.secretKey) return null;
    const api = config.apiUrl;
    const sdk = new Stripe(config.secretKey, {
      maxNetworkRetries: 2,
      timeout: 20_000,
      telemetry: false,
      appInfo: { name: 'Spacecraft' },
      ...(api ? { host: api.hostname, port: api.port || (api.protocol === 'https:' ? 443 : 80), protocol: api.protocol === 'https:' ? 'https' : 'http' } : {}),
    });
    return new StripeClient(sdk, config.webhookSecret, logger.child({ module: 'stripe' }));
  }

  /** Runs one Stripe call; its failure becomes PAYMENT_FAILED (logged with Stripe's detail). */
  async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const stripe = error instanceof Stripe.errors.StripeError ? error : null;
      this.#log.warn({ what, type: stripe?.type, code: stripe?.code, status: stripe?.statusCode, message: (error as Error).message }, 'Stripe call failed');
      throw new SpacecraftError('PAYMENT_FAILED', `Stripe could not ${what} just now; please try again.`, stripe?.code ? { stripeCode: stripe.code } : undefined);
    }
  }

  /** A Connect Express account for a host; the key makes a retried request return the same account. */
  createExpressAccount(accountId: string, idempotencyKey: string): Promise<Stripe.Account> {
    return this.call('create your payout account', () =>
      this.sdk.accounts.create(
        {
          type: 'express',
          capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
          metadata: { spacecraft_account: accountId },
        },
        { idempotencyKey },
      ),
    );
  }

  /** A one-time onboarding link (Stripe's hosted Express onboarding). */
  createOnboardingLink(stripeAccountId: string, refreshUrl: string, returnUrl: string): Promise<Stripe.AccountLink> {
    return this.call('open payout set-up', () => this.sdk.accountLinks.create({ account: stripeAccountId, refresh_url: refreshUrl, return_url: returnUrl, type: 'account_onboarding' }));
  }

  retrieveAccount(stripeAccountId: string): Promise<Stripe.Account> {
    return this.call('read your payout account', () => this.sdk.accounts.retrieve(stripeAccountId));
  }

  /**
   * A Checkout Session for one ticket, as a destination charge: the host's account receives the
   * payment less `application_fee_amount`; it expires with the seat hold. Keyed by the hold, so a
   * retry never makes a second session for one seat.
   */
  createCheckout(request: CheckoutRequest): Promise<Stripe.Checkout.Session> {
    const metadata = { space: request.spaceId, account: request.buyerAccountId, hold: request.holdId };
    return this.call('start the checkout', () =>
      this.sdk.checkout.sessions.create(
        {
          mode: 'payment',
          line_items: [{ quantity: 1, price_data: { currency: request.currency, unit_amount: request.amount, product_data: { name: `Ticket: ${request.spaceTitle}` } } }],
          payment_intent_data: { application_fee_amount: request.platformFee, transfer_data: { destination: request.destination }, metadata },
          client_reference_id: request.buyerAccountId,
          metadata,
          expires_at: Math.floor(request.expiresAt.getTime() / 1000),
          success_url: request.successUrl,
          cancel_url: request.cancelUrl,
        },
        { idempotencyKey: `checkout-${request.holdId}` },
      ),
    );
  }

  retrieveCheckout(sessionId: string): Promise<Stripe.Checkout.Session> {
    return this.call('read the checkout', () => this.sdk.checkout.sessions.retrieve(sessionId));
  }

  /** Ends an open checkout at once (its seat is then released); a session no longer open is read back instead. */
  async expireCheckout(sessionId: string): Promise<Stripe.Checkout.Session> {
    const current = await this.retrieveCheckout(sessionId);
    if (current.status !== 'open') return current;
    try {
      return await this.sdk.checkout.sessions.expire(sessionId);
    } catch {
      // Completed or expired between the two calls: what it is now decides.
      return this.retrieveCheckout(sessionId);
    }
  }
}
