/**
 * The Stripe settings, as environment fields `server/config.ts` spreads into its schema:
 *
 *   SPACECRAFT_STRIPE_SECRET_KEY      sk_live_… / sk_test_… / rk_… (secret); without it ticket sales are off
 *   SPACECRAFT_STRIPE_WEBHOOK_SECRET  whsec_… (secret): verifies webhook signatures
 *   SPACECRAFT_STRIPE_KEYS_FILE       path of a JSON file {"secretKey","webhookSecret"} (mode 0600): the two secrets
 *                                     without putting them in the environment (the studio's bundled server); the
 *                                     environment variables win when set
 *   SPACECRAFT_STRIPE_API_URL         http(s)://host:port: another address for Stripe's API (the test stub)
 *   SPACECRAFT_PLATFORM_FEE_BPS       the platform's share of each ticket in basis points (default 1000 = 10 %, below 5000)
 */
import { z } from 'zod';
import { MAX_PLATFORM_FEE_BPS } from '../domain/ticketing.ts';
import { readStripeKeysFile, StripeKeysFileError } from './stripe-keys-file.ts';
import { stripeSecretKeyField, webhookSecretField } from './stripe-keys.ts';

export const stripeEnvFields = {
  SPACECRAFT_STRIPE_SECRET_KEY: stripeSecretKeyField.optional(),
  SPACECRAFT_STRIPE_WEBHOOK_SECRET: webhookSecretField.optional(),
  SPACECRAFT_STRIPE_KEYS_FILE: z.string().min(1).optional(),
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
  SPACECRAFT_STRIPE_KEYS_FILE?: string | undefined;
  SPACECRAFT_STRIPE_API_URL?: string | undefined;
  SPACECRAFT_PLATFORM_FEE_BPS: number;
};

/**
 * The Stripe settings, with the secrets from the environment or, when neither secret variable is
 * set, from SPACECRAFT_STRIPE_KEYS_FILE (a file that is missing, open to other users or not valid
 * is a problem: the server does not start, saying why).
 */
export function stripeConfig(e: StripeEnv): { config: StripeConfig; problems: string[] } {
  let secretKey = e.SPACECRAFT_STRIPE_SECRET_KEY ?? null;
  let webhookSecret = e.SPACECRAFT_STRIPE_WEBHOOK_SECRET ?? null;
  const problems: string[] = [];
  const fromEnv = secretKey !== null || webhookSecret !== null;
  if (!fromEnv && e.SPACECRAFT_STRIPE_KEYS_FILE) {
    try {
      ({ secretKey, webhookSecret } = readStripeKeysFile(e.SPACECRAFT_STRIPE_KEYS_FILE));
    } catch (error) {
      if (!(error instanceof StripeKeysFileError)) throw error;
      problems.push(`SPACECRAFT_STRIPE_KEYS_FILE: ${error.message}`);
    }
  }
  return {
    config: {
      secretKey,
      webhookSecret,
      apiUrl: e.SPACECRAFT_STRIPE_API_URL ? new URL(e.SPACECRAFT_STRIPE_API_URL) : null,
      platformFeeBps: e.SPACECRAFT_PLATFORM_FEE_BPS,
    },
    problems,
  };
}
