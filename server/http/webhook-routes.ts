/**
 * `POST /api/stripe/webhooks`: Stripe's events, verified on the raw body.
 *
 * The JSON parser of this route (and only this route: it lives in its own Fastify scope) keeps
 * the body as the bytes Stripe signed; `stripe.webhooks.constructEvent` checks the
 * `Stripe-Signature` header against the endpoint's secret and the timestamp against the
 * tolerance. Refused with typed 400s: no signature (`details: ['unsigned']`), a signature that
 * does not match (`forged`), or one too old (`stale`). A verified event is applied exactly once
 * (webhook-processor.ts) and answered 200 after its transaction commits; if that fails Stripe gets
 * a 500 and delivers it again later.
 */
import type { FastifyInstance } from 'fastify';
import Stripe from 'stripe';
import { SpacecraftError, ValidationError } from '../errors.ts';
import { paymentsUnavailable } from '../payments/stripe-client.ts';
import { readPaymentEvent } from '../payments/webhook-events.ts';
import type { WebhookProcessor } from '../payments/webhook-processor.ts';

/** Stripe's events stay far below this (an event carries one object). */
export const WEBHOOK_BODY_LIMIT = 512 * 1024;

export type WebhookVerifier = {
  /** The SDK's `webhooks` (constructEvent), or null when Stripe is not configured here. */
  webhooks: Pick<Stripe['webhooks'], 'constructEvent'> | null;
  secret: string | null;
  toleranceSeconds: number;
};

export function registerWebhookRoutes(app: FastifyInstance, deps: { verifier: WebhookVerifier; processor: WebhookProcessor }): void {
  const { verifier, processor } = deps;
  void app.register(async (scope) => {
    // This scope's JSON parser keeps the raw bytes: the signature is over them, not over a re-serialisation.
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_request, body, done) => done(null, body));

    scope.post('/api/stripe/webhooks', { bodyLimit: WEBHOOK_BODY_LIMIT }, async (request, reply) => {
      if (!verifier.webhooks || !verifier.secret) throw paymentsUnavailable();
      const signature = request.headers['stripe-signature'];
      if (typeof signature !== 'string' || signature.length === 0) throw new ValidationError('This request is not signed by Stripe.', ['unsigned']);
      if (!Buffer.isBuffer(request.body)) throw new ValidationError('A Stripe event is JSON.', ['content-type: application/json']);
      let verified: Stripe.Event;
      try {
        verified = verifier.webhooks.constructEvent(request.body, signature, verifier.secret, verifier.toleranceSeconds);
      } catch (error) {
        if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
          const stale = /timestamp outside the tolerance/i.test(error.message);
          request.log.warn({ ip: request.ip, stale }, 'Stripe webhook refused: bad signature');
          throw new ValidationError(stale ? 'This Stripe event is too old.' : 'This request is not signed by Stripe.', [stale ? 'stale' : 'forged']);
        }
        throw new ValidationError('This Stripe event cannot be read.', ['malformed']);
      }
      const event = readPaymentEvent(verified);
      const account = typeof (verified as { account?: unknown }).account === 'string' ? (verified as { account: string }).account : null;
      try {
        const { result } = await processor.receive(event, { account, payload: request.body.toString('utf8') });
        return reply.status(200).send({ received: true, result });
      } catch (error) {
        if (error instanceof SpacecraftError && error.code !== 'INTERNAL') throw error;
        request.log.error({ err: error, event: event.eventId, type: event.type }, 'Stripe event not applied: Stripe will deliver it again');
        throw new SpacecraftError('UNAVAILABLE', 'The event could not be applied just now; deliver it again.');
      }
    });
  });
}
