/**
 * The shape of Stripe's two secrets, declared once: the server's environment fields
 * (stripe-config.ts), its key file (stripe-keys-file.ts), the studio's IPC contract and the studio's
 * "Stripe keys" form all validate with these. Pure zod: the renderer may import it (through the contract).
 */
import { z } from 'zod';

export const stripeSecretKeyField = z
  .string()
  .regex(/^(sk|rk)_(test|live)_[A-Za-z0-9]{8,256}$/, 'must be a Stripe secret key (sk_test_…, sk_live_… or a restricted rk_… key)');

export const webhookSecretField = z.string().regex(/^whsec_[A-Za-z0-9+/=]{8,256}$/, 'must be a webhook signing secret (whsec_…)');

/** The server's Stripe secrets as one object: the key file's JSON, and what the studio's form saves. */
export const stripeKeysSchema = z.object({ secretKey: stripeSecretKeyField, webhookSecret: webhookSecretField }).strict();
export type StripeKeys = z.output<typeof stripeKeysSchema>;

/** What may be shown of a secret key once saved: its kind and last four characters (`sk_test_…a1b2`). */
export function maskedSecretKey(secretKey: string): string {
  const kind = /^(sk|rk)_(test|live)_/.exec(secretKey)?.[0] ?? '';
  return `${kind}…${secretKey.slice(-4)}`;
}
