/**
 * Accounts over HTTP on a real server, on both database backends: sign-up, sign-in, sign-out,
 * follows and the hosting rule; rate limits; a restart keeps everything; bad input at every
 * route is a typed error and changes nothing stored.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { DatabaseConfig } from '../../server/config.ts';
import type { RunningServer } from '../../server/server.ts';
import { api, databaseEnv, expectHarmless } from '../support/http-api.ts';
import { startTestServer } from '../support/server-fixture.ts';
import { BACKENDS, useTestDatabases } from '../support/test-databases.ts';

const databases = useTestDatabases();
const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(config: DatabaseConfig, env: Record<string, string> = {}) {
  const server = await startTestServer({ ...databaseEnv(config), SPACECRAFT_DEMO_DATA: 'false', SPACECRAFT_HOST_MIN_FOLLOWERS: '2', SPACECRAFT_ACCOUNT_ATTEMPTS_PER_IP: '1000', ...env });
  servers.push(server);
  return server;
}

async function signUp(call: ReturnType<typeof api>, handle: string) {
  const answer = await call('POST', '/api/accounts', { body: { handle, displayName: `The ${handle}`, password: `${handle}-password` } });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body['token'] as string;
}

/** Everything stored, for "nothing changed" checks. */
async function snapshot(server: RunningServer) {
  const { db } = server.database;
  return {
    accounts: await db.selectFrom('accounts').selectAll().orderBy('handle').execute(),
    sessions: await db.selectFrom('sessions').select(['account_id', 'expires_at']).orderBy('expires_at').execute(),
    follows: await db.selectFrom('follows').select(['follower_id', 'followee_id']).orderBy('follower_id').orderBy('followee_id').execute(),
  };
}

describe.each(BACKENDS)('accounts on %s', { timeout: 90_000 }, (backend) => {
  it('signs up, signs in and out, follows and unfollows, and says who may host', async () => {
    const server = await start(await databases.fresh(backend));
    const call = api(server);
    const ada = await signUp(call, 'ada');
    const bob = await signUp(call, 'bob');
    const cyd = await signUp(call, 'cyd');

    // The password is stored only as an scrypt hash, the session only as a SHA-256.
    const stored = await server.database.db.selectFrom('accounts').select('password_hash').where('handle', '=', 'ada').executeTakeFirstOrThrow();
    expect(stored.password_hash).toMatch(/^scrypt\$/);
    expect(stored.password_hash).not.toContain('ada-password');
    const sessions = await server.database.db.selectFrom('sessions').select('token_hash').execute();
    expect(sessions.every((s) => s.token_hash.length === 32)).toBe(true);

    let me = await call('GET', '/api/accounts/me', { token: ada });
    expect(me.body).toMatchObject({ handle: 'ada', displayName: 'The ada', followers: 0, following: 0, mayHost: false, followersNeeded: 2 });

    // Follows are idempotent; handles are case-insensitive.
    expect((await call('PUT', '/api/accounts/me/following/ADA', { token: bob })).body).toMatchObject({ handle: 'ada', followers: 1 });
    expect((await call('PUT', '/api/accounts/me/following/ada', { token: bob })).body).toMatchObject({ handle: 'ada', followers: 1 });
    me = await call('GET', '/api/accounts/me', { token: ada });
    expect(me.body).toMatchObject({ followers: 1, mayHost: false, followersNeeded: 1 });
    await call('PUT', '/api/accounts/me/following/ada', { token: cyd });
    me = await call('GET', '/api/accounts/me', { token: ada });
    expect(me.body).toMatchObject({ followers: 2, mayHost: true, followersNeeded: 0 });
    expect((await call('GET', '/api/accounts/bob')).body).toMatchObject({ handle: 'bob', followers: 0, following: 1 });

    // No self-follow.
    const self = await call('PUT', '/api/accounts/me/following/ada', { token: ada });
    expect(self).toMatchObject({ status: 403, body: { error: { code: 'PERMISSION_DENIED' } } });

    // Unfollow, twice: the same result.
    expect((await call('DELETE', '/api/accounts/me/following/ada', { token: cyd })).body).toMatchObject({ followers: 1 });
    expect((await call('DELETE', '/api/accounts/me/following/ada', { token: cyd })).body).toMatchObject({ followers: 1 });

    // Sign in with the password (any case of the handle); a wrong one is refused without saying which part was wrong.
    const signIn = await call('POST', '/api/accounts/sessions', { body: { handle: 'Ada', password: 'ada-password' } });
    expect(signIn.status).toBe(201);
    const second = signIn.body['token'] as string;
    expect(second).not.toBe(ada);
    const wrong = await call('POST', '/api/accounts/sessions', { body: { handle: 'ada', password: 'not-the-password' } });
    const unknown = await call('POST', '/api/accounts/sessions', { body: { handle: 'nobody', password: 'not-the-password' } });
    expect(wrong).toMatchObject({ status: 403, body: { error: { code: 'PERMISSION_DENIED' } } });
    expect(unknown.body).toEqual(wrong.body);

    // Sign-out ends that session only.
    expect((await call('DELETE', '/api/accounts/sessions/current', { token: second })).status).toBe(204);
    expect((await call('GET', '/api/accounts/me', { token: second })).status).toBe(403);
    expect((await call('GET', '/api/accounts/me', { token: ada })).status).toBe(200);

    // A taken handle, whatever its case.
    const taken = await call('POST', '/api/accounts', { body: { handle: 'BOB', displayName: 'Other Bob', password: 'long enough password' } });
    expect(taken).toMatchObject({ status: 409, body: { error: { code: 'INVALID_STATE' } } });
  });

  it('expires sessions', async () => {
    const server = await start(await databases.fresh(backend));
    const call = api(server);
    const token = await signUp(call, 'ada');
    await server.database.db.updateTable('sessions').set({ expires_at: new Date(Date.now() - 1000) }).execute();
    expect((await call('GET', '/api/accounts/me', { token })).body).toMatchObject({ error: { code: 'PERMISSION_DENIED' } });
  });

  it('limits sign-in attempts per handle and per address (RATE_LIMITED)', async () => {
    const server = await start(await databases.fresh(backend), { SPACECRAFT_FAILED_SIGN_INS_PER_HANDLE: '3', SPACECRAFT_ACCOUNT_ATTEMPTS_PER_IP: '8' });
    const call = api(server);
    await signUp(call, 'ada'); // attempt 1 from this address
    for (let i = 0; i < 3; i++) {
      expect((await call('POST', '/api/accounts/sessions', { body: { handle: 'ada', password: 'wrong password' } })).status).toBe(403);
    }
    // The handle is locked even for the right password.
    const locked = await call('POST', '/api/accounts/sessions', { body: { handle: 'ada', password: 'ada-password' } });
    expect(locked).toMatchObject({ status: 429, body: { error: { code: 'RATE_LIMITED', details: { retryAfterMs: expect.any(Number) as unknown } } } });
    // Other handles from this address go on until the address's own limit (8 attempts).
    for (let i = 0; i < 3; i++) {
      expect((await call('POST', '/api/accounts/sessions', { body: { handle: `other${i}`, password: 'wrong password' } })).status).toBe(403);
    }
    const address = await call('POST', '/api/accounts/sessions', { body: { handle: 'other9', password: 'wrong password' } });
    expect(address).toMatchObject({ status: 429, body: { error: { code: 'RATE_LIMITED' } } });
  });

  it('keeps accounts, sessions and follows across a server restart', async () => {
    const config = await databases.fresh(backend);
    const first = await start(config);
    let call = api(first);
    const ada = await signUp(call, 'ada');
    const bob = await signUp(call, 'bob');
    await call('PUT', '/api/accounts/me/following/ada', { token: bob });
    await call('PUT', '/api/accounts/me/following/bob', { token: ada });
    const before = await snapshot(first);
    await first.close();
    servers.splice(servers.indexOf(first), 1);

    const second = await start(config);
    call = api(second);
    expect(await snapshot(second)).toEqual(before);
    expect((await call('GET', '/api/accounts/me', { token: ada })).body).toMatchObject({ handle: 'ada', followers: 1, following: 1 });
    expect((await call('POST', '/api/accounts/sessions', { body: { handle: 'bob', password: 'bob-password' } })).status).toBe(201);
  });

  it('answers bad input at every route with a typed error and changes nothing stored', async () => {
    const server = await start(await databases.fresh(backend));
    const call = api(server);
    const ada = await signUp(call, 'ada');
    await signUp(call, 'bob');
    const before = await snapshot(server);
    const good = { handle: 'newbie', displayName: 'New', password: 'long enough password' };
    const cases: Array<[string, string, string, Parameters<ReturnType<typeof api>>[2], number, string]> = [
      ['sign-up without a body', 'POST', '/api/accounts', {}, 400, 'VALIDATION'],
      ['sign-up with JSON null', 'POST', '/api/accounts', { rawBody: 'null' }, 400, 'VALIDATION'],
      ['sign-up with broken JSON', 'POST', '/api/accounts', { rawBody: '{"handle":' }, 400, 'VALIDATION'],
      ['sign-up as text', 'POST', '/api/accounts', { rawBody: 'handle=x', contentType: 'text/plain' }, 400, 'VALIDATION'],
      ['sign-up with an array', 'POST', '/api/accounts', { body: [good] }, 400, 'VALIDATION'],
      ['sign-up with a number handle', 'POST', '/api/accounts', { body: { ...good, handle: 42 } }, 400, 'VALIDATION'],
      ['sign-up with an extra field', 'POST', '/api/accounts', { body: { ...good, isAdmin: true } }, 400, 'VALIDATION'],
      ['sign-up with __proto__', 'POST', '/api/accounts', { rawBody: `{"handle":"newbie","displayName":"N","password":"long enough password","__proto__":{"x":1}}` }, 400, 'VALIDATION'],
      ['sign-up with a bad handle', 'POST', '/api/accounts', { body: { ...good, handle: "x'; drop table accounts; --" } }, 400, 'VALIDATION'],
      ['sign-up with a short password', 'POST', '/api/accounts', { body: { ...good, password: 'short' } }, 400, 'VALIDATION'],
      ['sign-up with a huge password', 'POST', '/api/accounts', { body: { ...good, password: 'p'.repeat(5000) } }, 400, 'VALIDATION'],
      ['sign-up with an empty display name', 'POST', '/api/accounts', { body: { ...good, displayName: '' } }, 400, 'VALIDATION'],
      ['sign-up with a taken handle', 'POST', '/api/accounts', { body: { ...good, handle: 'Ada' } }, 409, 'INVALID_STATE'],
      ['sign-in without a password', 'POST', '/api/accounts/sessions', { body: { handle: 'ada' } }, 400, 'VALIDATION'],
      ['sign-in with an object password', 'POST', '/api/accounts/sessions', { body: { handle: 'ada', password: { $ne: '' } } }, 400, 'VALIDATION'],
      ['sign-in with a wrong password', 'POST', '/api/accounts/sessions', { body: { handle: 'ada', password: 'wrong password' } }, 403, 'PERMISSION_DENIED'],
      ['sign-out without a token', 'DELETE', '/api/accounts/sessions/current', {}, 403, 'PERMISSION_DENIED'],
      ['sign-out with a made-up token', 'DELETE', '/api/accounts/sessions/current', { token: 'x'.repeat(43) }, 403, 'PERMISSION_DENIED'],
      ['me without a token', 'GET', '/api/accounts/me', {}, 403, 'PERMISSION_DENIED'],
      ['me with a garbage token', 'GET', '/api/accounts/me', { token: '../../etc/passwd' }, 403, 'PERMISSION_DENIED'],
      ['a profile that does not exist', 'GET', '/api/accounts/nobody', {}, 404, 'NOT_FOUND'],
      ['a profile with an impossible handle', 'GET', '/api/accounts/%E2%80%AE', {}, 404, 'NOT_FOUND'],
      ['a profile with a 500-character handle', 'GET', `/api/accounts/${'a'.repeat(500)}`, {}, 414, 'VALIDATION'],
      ['follow without a token', 'PUT', '/api/accounts/me/following/bob', {}, 403, 'PERMISSION_DENIED'],
      ['follow someone who does not exist', 'PUT', '/api/accounts/me/following/nobody', { token: ada }, 404, 'NOT_FOUND'],
      ['follow oneself', 'PUT', '/api/accounts/me/following/ada', { token: ada }, 403, 'PERMISSION_DENIED'],
      ['unfollow without a token', 'DELETE', '/api/accounts/me/following/bob', {}, 403, 'PERMISSION_DENIED'],
      ['unfollow someone who does not exist', 'DELETE', '/api/accounts/me/following/nobody', { token: ada }, 404, 'NOT_FOUND'],
    ];
    for (const [name, method, path, options, status, code] of cases) {
      const answer = await call(method, path, options);
      expect({ name, status: answer.status, code: answer.body.error?.code }).toEqual({ name, status, code });
      expect(typeof answer.body.error?.message, name).toBe('string');
      expect(JSON.stringify(answer.body), name).not.toMatch(/password_hash|scrypt\$|stack|at .*\.ts/);
    }
    expect(await snapshot(server)).toEqual(before);
  });

  it('answers any body, handle and token at every route with success or a typed error, never a crash, and a refused call changes nothing (property)', async () => {
    const server = await start(await databases.fresh(backend));
    const call = api(server);
    const ada = await signUp(call, 'ada');
    await signUp(call, 'bob');
    const text = fc.oneof(fc.string({ maxLength: 30 }), fc.stringMatching(/^[a-z0-9_]{1,22}$/), fc.constantFrom('ada', 'bob', 'ADA', 'me', ''));
    const body = fc.oneof(
      fc.anything(),
      fc.record({ handle: fc.oneof(text, fc.anything()), displayName: fc.oneof(text, fc.anything()), password: fc.oneof(text, fc.anything()) }, { requiredKeys: [] }),
    );
    const token = fc.oneof(fc.constant(undefined), fc.constant(ada), fc.stringMatching(/^[\x21-\x7e]{1,60}$/));
    const route = fc.constantFrom(
      ['POST', '/api/accounts'],
      ['POST', '/api/accounts/sessions'],
      ['DELETE', '/api/accounts/sessions/current'],
      ['GET', '/api/accounts/me'],
      ['GET', '/api/accounts/:handle'],
      ['PUT', '/api/accounts/me/following/:handle'],
      ['DELETE', '/api/accounts/me/following/:handle'],
    );
    await fc.assert(
      fc.asyncProperty(route, body, text, token, async ([method, template], payload, handle, bearer) => {
        // Signing out the one session this test reuses would end the property's use of it: not that route with it.
        if (method === 'DELETE' && template.endsWith('current') && bearer === ada) return;
        const path = template.replace(':handle', encodeURIComponent(handle) || 'x');
        const before = await snapshot(server);
        const sendsBody = method === 'POST' || method === 'PUT';
        const answer = await call(method, path, { ...(sendsBody ? { rawBody: JSON.stringify(payload) ?? 'null' } : {}), ...(bearer ? { token: bearer } : {}) });
        await expectHarmless(answer, before, () => snapshot(server));
      }),
      { numRuns: 60 },
    );
  }, 60_000);
});
