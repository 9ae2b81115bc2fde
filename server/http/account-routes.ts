/**
 * `/api/accounts/*`: sign-up, sign-in, sign-out, profiles and follows.
 *
 *   POST   /api/accounts                      sign up → 201 { token, expiresAt, account }
 *   POST   /api/accounts/sessions             sign in → 201 { token, expiresAt, account }
 *   DELETE /api/accounts/sessions/current     sign out → 204
 *   GET    /api/accounts/me                   own profile + { mayHost, followersNeeded }
 *   GET    /api/accounts/:handle              a profile with follower counts
 *   PUT    /api/accounts/me/following/:handle follow (idempotent) → the followed profile
 *   DELETE /api/accounts/me/following/:handle unfollow (idempotent) → the profile
 *
 * The session travels as `Authorization: Bearer <token>`, never as a cookie: a browser attaches
 * cookies to requests a foreign page makes, but never this header, so no other site can act as a
 * signed-in user (no CSRF), and no CORS headers are sent, so no other origin reads an answer.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AccountService, Session } from '../accounts/account-service.ts';
import type { Account, Profile } from '../domain/account.ts';
import { describeIssues, ValidationError } from '../errors.ts';
import { safeParse } from '../lib/safe-parse.ts';
import { signInBody, signUpBody } from './account-api.ts';

const handleParams = z.object({ handle: z.string().max(64) });

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = safeParse(schema, value ?? {});
  if (!parsed.success) throw new ValidationError(`That ${what} is not valid.`, describeIssues(parsed.error.issues));
  return parsed.data;
}

/** `Authorization: Bearer <token>`, or null. */
export function bearerToken(request: FastifyRequest): string | null {
  const match = /^Bearer ([^\s]+)$/i.exec(request.headers.authorization ?? '');
  return match?.[1] ?? null;
}

const accountJson = (account: Account) => ({ id: account.id, handle: account.handle, displayName: account.displayName, createdAt: account.createdAt.toISOString() });
const profileJson = (profile: Profile) => ({ ...accountJson(profile), followers: profile.followers, following: profile.following });
const sessionJson = (session: Session) => ({ token: session.token, expiresAt: session.expiresAt.toISOString(), account: accountJson(session.account) });

export function registerAccountRoutes(app: FastifyInstance, accounts: AccountService): void {
  // Answers carry tokens and personal data: never cached.
  app.addHook('onSend', async (request, reply) => {
    if (request.url.startsWith('/api/accounts')) void reply.header('cache-control', 'no-store');
  });

  app.post('/api/accounts', async (request, reply) => {
    const body = parse(signUpBody, request.body, 'sign-up');
    const session = await accounts.signUp(request.ip, body);
    return reply.status(201).send(sessionJson(session));
  });

  app.post('/api/accounts/sessions', async (request, reply) => {
    const body = parse(signInBody, request.body, 'sign-in');
    const session = await accounts.signIn(request.ip, body);
    return reply.status(201).send(sessionJson(session));
  });

  app.delete('/api/accounts/sessions/current', async (request, reply) => {
    const token = bearerToken(request);
    await accounts.authenticate(token);
    await accounts.signOut(token!);
    return reply.status(204).send();
  });

  app.get('/api/accounts/me', async (request) => {
    const me = await accounts.ownProfile(await accounts.authenticate(bearerToken(request)));
    return { ...profileJson(me), mayHost: me.mayHost, followersNeeded: me.followersNeeded };
  });

  app.get('/api/accounts/:handle', async (request) => {
    const { handle } = parse(handleParams, request.params, 'handle');
    return profileJson(await accounts.profile(handle));
  });

  app.put('/api/accounts/me/following/:handle', async (request) => {
    const me = await accounts.authenticate(bearerToken(request));
    const { handle } = parse(handleParams, request.params, 'handle');
    return profileJson(await accounts.follow(me, handle));
  });

  app.delete('/api/accounts/me/following/:handle', async (request) => {
    const me = await accounts.authenticate(bearerToken(request));
    const { handle } = parse(handleParams, request.params, 'handle');
    return profileJson(await accounts.unfollow(me, handle));
  });
}
