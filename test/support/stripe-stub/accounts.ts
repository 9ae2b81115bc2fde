/** Connect: Express accounts (create, retrieve) and account links, plus the hosted onboarding page. */
import { escapeHtml, invalid, missing, noSuch, StubError, type PageRoute, type Route, type StripeObject, type StubContext } from './core.ts';
import { obj, str } from './form.ts';

const DUE = ['business_profile.url', 'external_account', 'individual.dob.day', 'tos_acceptance.date'];

function account(ctx: StubContext, id: string): StripeObject {
  const found = ctx.state.accounts.get(id);
  if (!found) throw noSuch('account', id, 'account');
  return found;
}

/** Onboarding finished (or undone): Stripe enables charges and payouts and says so with `account.updated`. */
export function setOnboarded(ctx: StubContext, id: string, done = true): StripeObject {
  const acct = account(ctx, id);
  const previous = { charges_enabled: acct['charges_enabled'], payouts_enabled: acct['payouts_enabled'] };
  Object.assign(acct, {
    charges_enabled: done,
    payouts_enabled: done,
    details_submitted: done,
    requirements: { currently_due: done ? [] : DUE, eventually_due: [], past_due: [], disabled_reason: done ? null : 'requirements.past_due' },
  });
  ctx.emit('account.updated', acct, { account: id, previous });
  return acct;
}

export const accountRoutes: Route[] = [
  {
    method: 'POST',
    path: /^\/v1\/accounts$/,
    handle(ctx, params) {
      const type = str(params['type']) ?? str(obj(params['controller'])['stripe_dashboard'] && 'express');
      if (type !== 'express') throw invalid('type', 'This stub creates Express accounts only (type=express).');
      const country = (str(params['country']) ?? 'US').toUpperCase();
      const acct: StripeObject = {
        id: ctx.newId('acct'),
        object: 'account',
        type: 'express',
        country,
        email: str(params['email']) ?? null,
        default_currency: country === 'US' ? 'usd' : country === 'GB' ? 'gbp' : country === 'JP' ? 'jpy' : 'eur',
        charges_enabled: false,
        payouts_enabled: false,
        details_submitted: false,
        capabilities: Object.fromEntries(Object.keys(obj(params['capabilities'])).map((name) => [name, 'inactive'])),
        requirements: { currently_due: DUE, eventually_due: [], past_due: [], disabled_reason: 'requirements.past_due' },
        metadata: obj(params['metadata']),
        created: ctx.now(),
      };
      ctx.state.accounts.set(acct.id, acct);
      return acct;
    },
  },
  {
    method: 'GET',
    path: /^\/v1\/accounts\/(acct_[A-Za-z0-9]+)$/,
    handle: (ctx, _params, match) => account(ctx, match[1]!),
  },
  {
    method: 'POST',
    path: /^\/v1\/account_links$/,
    handle(ctx, params) {
      const id = str(params['account']);
      if (!id) throw missing('account');
      account(ctx, id);
      for (const field of ['refresh_url', 'return_url'] as const) {
        const url = str(params[field]);
        if (!url) throw missing(field);
        if (!/^https?:\/\//.test(url)) throw invalid(field, `Not a valid URL: ${field}`);
      }
      if (str(params['type']) !== 'account_onboarding' && str(params['type']) !== 'account_update') throw invalid('type', 'type must be account_onboarding or account_update');
      const token = ctx.newId('link');
      linksOf(ctx).set(token, { id: token, object: 'stub_account_link', account: id, return_url: str(params['return_url'])!, refresh_url: str(params['refresh_url'])! });
      return { object: 'account_link', created: ctx.now(), expires_at: ctx.now() + 300, url: `${ctx.baseUrl}/onboard/${token}` };
    },
  },
];

function linksOf(ctx: StubContext): Map<string, StripeObject> {
  let links = ctx.state.extra.get('account_links');
  if (!links) ctx.state.extra.set('account_links', (links = new Map()));
  return links;
}

/** The hosted onboarding: a page with one button that finishes it and goes back to `return_url`. */
export const accountPages: PageRoute[] = [
  {
    method: 'GET',
    path: /^\/onboard\/(link_[A-Za-z0-9]+)$/,
    handle(ctx, match) {
      const link = linksOf(ctx).get(match[1]!);
      if (!link) throw new StubError(404, 'This onboarding link has expired.');
      return {
        status: 200,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body: `<!doctype html><title>Stripe Express (stub)</title><h1>Set up payouts for ${escapeHtml(link['account'] as string)}</h1><form method="post"><button type="submit">Finish onboarding</button></form>`,
      };
    },
  },
  {
    method: 'POST',
    path: /^\/onboard\/(link_[A-Za-z0-9]+)$/,
    handle(ctx, match) {
      const link = linksOf(ctx).get(match[1]!);
      if (!link) throw new StubError(404, 'This onboarding link has expired.');
      linksOf(ctx).delete(match[1]!);
      setOnboarded(ctx, link['account'] as string);
      return { status: 303, headers: { location: link['return_url'] as string } };
    },
  },
];
