/**
 * Ticketed Spaces over HTTP (issue #9):
 *
 *   GET    /api/accounts/me/payouts                     the host's Stripe payouts: connected, charges enabled, what Stripe still needs
 *   POST   /api/accounts/me/payouts                     create the Express account (once) → { url: Stripe's onboarding, status }
 *   GET    /api/spaces/:spaceId/tickets                 { ticketed: false } or the offer (+ the caller's ticket/checkout when signed in)
 *   PUT    /api/spaces/:spaceId/tickets                 price or change the offer (host only, by the rules) → offer
 *   DELETE /api/spaces/:spaceId/tickets                 make the Space free again (only before any sale) → 204
 *   POST   /api/spaces/:spaceId/checkout                holds a seat and opens a Stripe Checkout → { url, sessionId, expiresAt, reused }
 *   POST   /api/spaces/:spaceId/checkout/:sessionId/confirm   back from Checkout: what Stripe says decides → offer
 *   GET    /payouts/done, /payouts/again                where Stripe's onboarding sends the host back
 *
 * Signed in with `Authorization: Bearer` like every API route; answers never cached.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AccountService } from '../accounts/account-service.ts';
import type { StoredOffer } from '../db/ticket-store.ts';
import { describeIssues, ValidationError } from '../errors.ts';
import { safeParse } from '../lib/safe-parse.ts';
import type { PublicOffer, TicketSales } from '../payments/ticket-sales.ts';
import { bearerToken } from './account-routes.ts';
import { offerBody, type CheckoutJson, type OfferJson, type TicketsJson } from './ticket-api.ts';

const spaceParams = z.object({ spaceId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a Space id') });
const sessionParams = spaceParams.extend({ sessionId: z.string().regex(/^cs_[A-Za-z0-9_]{1,200}$/, 'not a checkout id') });

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = safeParse(schema, value ?? {});
  if (!parsed.success) throw new ValidationError(`That ${what} is not valid.`, describeIssues(parsed.error.issues));
  return parsed.data;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function offerJson(offer: PublicOffer): OfferJson {
  return {
    ...offer,
    salesOpenAt: iso(offer.salesOpenAt),
    salesCloseAt: iso(offer.salesCloseAt),
    mine: offer.mine && { ticket: offer.mine.ticket, checkout: offer.mine.checkout && { ...offer.mine.checkout, expiresAt: offer.mine.checkout.expiresAt.toISOString() } },
  };
}

const PAGE = (title: string, text: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body style="font-family:system-ui;max-width:32rem;margin:4rem auto"><h1>${title}</h1><p>${text}</p></body></html>`;

export function registerTicketRoutes(app: FastifyInstance, deps: { accounts: AccountService; sales: TicketSales; publicUrl: string | undefined }): void {
  const { accounts, sales } = deps;
  const signedIn = (request: FastifyRequest) => accounts.authenticate(bearerToken(request));
  const maybeSignedIn = async (request: FastifyRequest) => (bearerToken(request) ? signedIn(request) : null);
  const base = (request: FastifyRequest) => deps.publicUrl ?? `${request.protocol}://${request.host}`;

  app.addHook('onSend', async (request, reply) => {
    if (request.url.startsWith('/api/accounts/me/payouts') || /^\/api\/spaces\/[^/]+\/(tickets|checkout)/.test(request.url)) void reply.header('cache-control', 'no-store');
  });

  app.get('/api/accounts/me/payouts', async (request) => sales.payoutStatus(await signedIn(request)));

  app.post('/api/accounts/me/payouts', async (request) => {
    const me = await signedIn(request);
    parse(z.strictObject({}), request.body, 'request');
    return sales.connectPayouts(me, { returnUrl: `${base(request)}/payouts/done`, refreshUrl: `${base(request)}/payouts/again` });
  });

  app.get('/api/spaces/:spaceId/tickets', async (request): Promise<TicketsJson> => {
    const { spaceId } = parse(spaceParams, request.params, 'Space id');
    const offer = await sales.publicOffer(spaceId, await maybeSignedIn(request));
    return offer ? { ticketed: true, ...offerJson(offer) } : { ticketed: false, paymentsAvailable: sales.available };
  });

  app.put('/api/spaces/:spaceId/tickets', async (request) => {
    const me = await signedIn(request);
    const { spaceId } = parse(spaceParams, request.params, 'Space id');
    const body = parse(offerBody, request.body, 'ticket offer');
    const offer: StoredOffer = await sales.setOffer(me, spaceId, {
      ...(body.currency === undefined ? {} : { currency: body.currency }),
      ...(body.amount === undefined ? {} : { amount: body.amount }),
      ...(body.capacity === undefined ? {} : { capacity: body.capacity }),
      ...(body.salesOpenAt === undefined ? {} : { salesOpenAt: body.salesOpenAt === null ? null : new Date(body.salesOpenAt) }),
      ...(body.salesCloseAt === undefined ? {} : { salesCloseAt: body.salesCloseAt === null ? null : new Date(body.salesCloseAt) }),
    });
    return { ticketed: true, ...offerJson((await sales.publicOffer(offer.spaceId, me))!) };
  });

  app.delete('/api/spaces/:spaceId/tickets', async (request, reply) => {
    const me = await signedIn(request);
    const { spaceId } = parse(spaceParams, request.params, 'Space id');
    await sales.withdrawOffer(me, spaceId);
    return reply.status(204).send();
  });

  app.post('/api/spaces/:spaceId/checkout', async (request, reply): Promise<CheckoutJson> => {
    const me = await signedIn(request);
    const { spaceId } = parse(spaceParams, request.params, 'Space id');
    parse(z.strictObject({}), request.body, 'request');
    const page = `${base(request)}/s/${spaceId}`;
    const checkout = await sales.startCheckout(me, spaceId, { successUrl: `${page}?checkout={CHECKOUT_SESSION_ID}`, cancelUrl: `${page}?checkout=cancelled` });
    void reply.status(checkout.reused ? 200 : 201);
    return { ...checkout, expiresAt: checkout.expiresAt.toISOString() };
  });

  app.post('/api/spaces/:spaceId/checkout/:sessionId/confirm', async (request) => {
    const me = await signedIn(request);
    const { spaceId, sessionId } = parse(sessionParams, request.params, 'checkout id');
    const offer = await sales.confirmCheckout(me, spaceId, sessionId);
    return offer ? { ticketed: true, ...offerJson(offer) } : { ticketed: false, paymentsAvailable: sales.available };
  });

  app.get('/payouts/done', async (_request, reply) =>
    reply.type('text/html').send(PAGE('Payouts', 'Thank you. Go back to the Spacecraft studio: it shows whether Stripe needs anything more before your ticket sales open.')),
  );
  app.get('/payouts/again', async (_request, reply) => reply.type('text/html').send(PAGE('Payouts', 'That set-up link has expired. Start again from the Spacecraft studio (Tickets → Connect payouts).')));
}
