/**
 * The Stripe settings, as environment fields `server/config.ts` spreads into its schema:
 *
 *   SPACECRAFT_STRIPE_SECRET_KEY      sk_live_… / sk_test_… / rk_… (secret); without it ticket sales are off
 *   SPACECRAFT_STRIPE_WEBHOOK_SECRET  whsec_… (secret): verifies webhook signatures
 *   SPACECRAFT_STRIPE_API_URL         http(s)://host:port: another address for Stripe's API (the test stub)
 *   SPACECRAFT_PLATFORM_FEE_BPS       the platform's share of each ticket in basis points (default 1000 = 10 %, below 5000)
 */
import { z } from 'zod';
import { MAX_PLATFORM_FEE_BPS } from '../domain/ticketing.ts';

export const stripeEnvFields = {
  SPACECRAFT_STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_(test|live)_[A-Za-z0-9]{8,256}$/, 'must be a Stripe secret key (sk_test_…, sk_live_… or a restricted rk_… key)')
    .optional(),
  SPACECRAFT_STRIPE_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/=]{8,256}$/, 'must be a webhook signing secret (whsec_…)')
    .optional(),
  SPACECRAFT_STRIPE_API_URL: z.url({ protocol: /^https?$/ }).optional(),
  SPACECRAFT_PLATFORM_FEE_BPS: z.coerce.number().int().min(0).max(MAX_PLATFORM_FEE_BPS).default(1000),
};

export const STRIPE_SECRET_KEYS = ['SPACECRAFT_STRIPE_SECRET_KEY', 'SPACECRAFT_STRIPE_WEBHOOK_SECRET'];

export type StripeConfig = {
  /** Null: ticket sales are off (free Spaces work; ticketing answers PAYMENTS_UNAVAILABLE). */
  secretKey: string | null;
  webhookSecret: string | null;
  /** Stripe's API at another address (tests: the local stub). */
  apiUrl: URL | null;
  platformFeeBps: number;
};

type StripeEnv = {
  SPACECRAFT_STRIPE_SECRET_KEY?: string | undefined;
  SPACECRAFT_STRIPE_WEBHOOK_SECRET?: string | undefined;
  SPACECRAFT_STRIPE_API_URL?: string | undefined;
  SPACECRAFT_PLATFORM_FEE_BPS: number;
};

export function stripeConfig(e: StripeEnv): StripeConfig {
  return {
    secretKey: e.SPACECRAFT_STRIPE_SECRET_KEY ?? null,
    webhookSecret: e.SPACECRAFT_STRIPE_WEBHOOK_SECRET ?? null,
    apiUrl: e.SPACECRAFT_STRIPE_API_URL ? new URL(e.SPACECRAFT_STRIPE_API_URL) : null,
    platformFeeBps: e.SPACECRAFT_PLATFORM_FEE_BPS,
  };
}
