/**
 * The account API's bodies and answers as zod schemas: the routes parse bodies with them, and
 * the studio (which calls these routes from its main process) parses answers with them.
 */
import { z } from 'zod';

export const signUpBody = z.strictObject({
  handle: z.string().max(64),
  displayName: z.string().max(200),
  password: z.string().max(1024),
});
export const signInBody = z.strictObject({ handle: z.string().max(64), password: z.string().max(1024) });

export const accountJsonSchema = z.object({ id: z.string(), handle: z.string(), displayName: z.string(), createdAt: z.string() });
export const sessionJsonSchema = z.object({ token: z.string(), expiresAt: z.string(), account: accountJsonSchema });
export const profileJsonSchema = accountJsonSchema.extend({ followers: z.number().int(), following: z.number().int() });
export const ownProfileJsonSchema = profileJsonSchema.extend({ mayHost: z.boolean(), followersNeeded: z.number().int() });

export type SignUpBody = z.infer<typeof signUpBody>;
export type SignInBody = z.infer<typeof signInBody>;
export type SessionJson = z.infer<typeof sessionJsonSchema>;
export type OwnProfileJson = z.infer<typeof ownProfileJsonSchema>;
