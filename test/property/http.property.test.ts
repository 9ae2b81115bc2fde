/// <reference types="vite/client" />
/**
 * The HTTP boundary under random requests (issue #7, point 9). The routes are
 * not listed here: every Fastify app this file's server makes gets an onRoute
 * hook before any route exists, so a route added later is covered without
 * editing this test. Every route and method (and methods no route has) gets
 * random paths, queries, headers and bodies: with and without a real session,
 * bogus tokens, bodies built from the API's own body schemas and near misses
 * of them, huge bodies, wrong content types, broken JSON. Every answer is a
 * success or a typed `{ error: { code, message } }` with the status its code
 * means, never a 500 or a stack trace; a refused request changes no row of any
 * table; nothing is logged at error level and nothing crashes.
 */
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import type * as FastifyModule from 'fastify';
import type { RouteOptions } from 'fastify';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ERROR_CODES } from '../../server/errors.ts';
import { STATUS } from '../../server/http/app.ts';
import { acceptedBy, hostileValue, nastyString, nearMiss } from './hostile-values.ts';
import { snapshotTables, startWatchedServer, type WatchedServer } from './watched-server.ts';

const routes = vi.hoisted(() => [] as Array<{ method: string; url: string }>);
vi.mock('fastify', async (importOriginal) => {
  const original = await importOriginal<typeof FastifyModule>();
  const create = ((options?: unknown) => {
    const app = original.default(options as never);
    app.addHook('onRoute', (route: RouteOptions) => {
      for (const method of [route.method].flat()) routes.push({ method, url: route.url });
    });
    return app;
  }) as unknown as typeof original.default;
  return { ...original, default: create, fastify: create };
});

/** Every body schema the API modules export (`…Body`), so new bodies are fuzzed too. */
const bodySchemas = Object.values(import.meta.glob<Record<string, unknown>>('../../server/http/*-api.ts', { eager: true })).flatMap((module) =>
  Object.entries(module)
    .filter(([name, value]) => name.endsWith('Body') && value instanceof z.ZodType)
    .map(([, value]) => value as z.ZodType),
);

const errorBody = z.object({ error: z.object({ code: z.enum(ERROR_CODES), message: z.string().min(1), details: z.unknown().optional() }).strict() }).strict();

let server: WatchedServer;
/** Real values the requests may carry: tokens, handles, Space and invite ids. */
const known = { tokens: [] as string[], strings: [] as string[] };
const pool = () => known.strings;

type Answer = { status: number; type: string; text: string };

function send(method: string, path: string, headers: Record<string, string>, body: Buffer | null): Promise<Answer> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: hostname, port, method, path, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, type: String(response.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body ?? undefined);
  });
}

async function json(method: string, path: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const answer = await send(method, path, { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, Buffer.from(JSON.stringify(body)));
  expect(answer.status, `${method} ${path}: ${answer.text}`).toBeLessThan(300);
  return JSON.parse(answer.text) as Record<string, unknown>;
}

beforeAll(async () => {
  server = await startWatchedServer({
    SPACECRAFT_HOST_MIN_FOLLOWERS: '0',
    SPACECRAFT_ACCOUNT_ATTEMPTS_PER_IP: '1000000',
    SPACECRAFT_FAILED_SIGN_INS_PER_HANDLE: '1000',
  });
  for (const handle of ['ada', 'bob']) {
    const session = await json('POST', '/api/accounts', { handle, displayName: `The ${handle}`, password: `${handle}-password-long` });
    known.tokens.push(session['token'] as string);
    known.strings.push(handle, `${handle}-password-long`);
  }
  // A scheduled Space of ada's with an invite for bob, so ids in paths and bodies can be real.
  const space = await json('POST', '/api/spaces', { title: 'Fuzzed', startsAt: new Date(Date.now() + 86_400_000).toISOString(), timeZone: 'Europe/Berlin' }, known.tokens[0]);
  const invite = await json('POST', `/api/spaces/${space['id'] as string}/invites`, { handle: 'bob' }, known.tokens[0]);
  known.strings.push(space['id'] as string, (invite['invite'] as { id: string }).id, invite['code'] as string, 'Europe/Berlin');
  expect(routes.length).toBeGreaterThan(10);
}, 60_000);

/** Percent-encodes the UTF-8 bytes (lone surrogates become U+FFFD, which encodeURIComponent refuses). */
const encode = (text: string) => Array.from(Buffer.from(text, 'utf8'), (b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`)).join('');

/** One path segment: a real id or handle, hostile text percent-encoded, or raw broken encoding. */
const segment: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom('ada', 'bob', 'me', 'x').map(String), weight: 2 },
  { arbitrary: fc.nat().map((i) => known.strings[i % known.strings.length] ?? 'x'), weight: 3 },
  nastyString.map((s) => encode(s.slice(0, 300)) || '%20'),
  fc.constantFrom('%', '%E0%A4%A', '%00', '..', '%2e%2e', '%2F', '.', '~', '%ZZ', 'a'.repeat(2000)),
);

function pathFor(url: string, segments: string[]): string {
  let i = 0;
  const next = () => segments[i++ % segments.length]!;
  return url.replace(/:[A-Za-z0-9_]+/g, next).replace(/\*/g, () => `${next()}/${next()}`);
}

const query: fc.Arbitrary<string> = fc.oneof(
  fc.constant(''),
  fc.array(fc.tuple(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'id', 'a[b]', 'a[]'), fc.string({ maxLength: 8 })), nastyString), { maxLength: 4 }).map(
    (pairs) => `?${pairs.map(([k, v]) => `${encode(k)}=${encode(v.slice(0, 200))}`).join('&')}`,
  ),
  fc.constantFrom('?', '?&&', '?a', '?a=%', '?a=%E0%A4%A'),
);

const authorization: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  { arbitrary: fc.nat().map((i) => `Bearer ${known.tokens[i % known.tokens.length]}`), weight: 4 },
  fc.stringMatching(/^[\x21-\x7e]{1,80}$/).map((t) => `Bearer ${t}`),
  fc.nat().map((i) => `bearer  ${known.tokens[i % known.tokens.length]}x`),
  fc.constantFrom('Bearer', 'Bearer ', 'Basic YWRhOmFkYQ==', `Bearer ${'a'.repeat(5000)}`, 'Bearer ../../etc/passwd', 'Bearer null'),
);

const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { arbitrary: fc.constant('application/json'), weight: 5 },
  fc.constantFrom(undefined, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/JSON', 'application/json, text/plain', 'application/octet-stream', '*/*', ''),
);

/** A body built from the API's body schemas, a near miss of one, or anything at all. */
const bodyValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constantFrom(...bodySchemas).chain((schema) => acceptedBy(schema, pool)), weight: 3 },
  { arbitrary: fc.constantFrom(...bodySchemas).chain((schema) => nearMiss(schema, pool)), weight: 4 },
  { arbitrary: hostileValue, weight: 2 },
);

const body: fc.Arbitrary<Buffer | null> = fc.oneof(
  { arbitrary: bodyValue.map((value) => Buffer.from(JSON.stringify(value) ?? 'null')), weight: 8 },
  fc.constant(null),
  fc.constant(Buffer.alloc(0)),
  bodyValue.map((value) => Buffer.from((JSON.stringify(value) ?? 'null').slice(0, -1))),
  fc.constantFrom('{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"admin":true}}}', '{"length":{"valueOf":0,"toString":0}}', 'null', '[]', '"x"', '1e999', '{"a":1,"a":2}').map((s) => Buffer.from(s)),
  fc.integer({ min: 64 * 1024, max: 200 * 1024 }).map((n) => Buffer.from(JSON.stringify({ title: 'x'.repeat(n) }))),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
);

const extraHeaders: fc.Arbitrary<Record<string, string>> = fc.dictionary(
  fc.oneof(fc.constantFrom('x-forwarded-for', 'origin', 'accept', 'content-encoding', 'accept-encoding', 'cookie', 'x-http-method-override', 'range', 'if-none-match'), fc.stringMatching(/^x-[a-z0-9-]{1,20}$/)),
  fc.stringMatching(/^[\x20-\x7e]{0,100}$/),
  { maxKeys: 3 },
);

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

const httpCall = fc.record({
  route: fc.nat(),
  method: fc.oneof({ arbitrary: fc.constant(null), weight: 5 }, fc.constantFrom(...METHODS)),
  segments: fc.array(segment, { minLength: 1, maxLength: 4 }),
  query,
  authorization,
  contentType,
  extra: extraHeaders,
  body,
});

/** A request may sign a known session out: sign in again, so later requests still carry live sessions. */
async function refreshTokens(): Promise<void> {
  for (const [i, handle] of ['ada', 'bob'].entries()) {
    const me = await send('GET', '/api/accounts/me', { authorization: `Bearer ${known.tokens[i]}` }, null);
    if (me.status === 200) continue;
    known.tokens[i] = (await json('POST', '/api/accounts/sessions', { handle, password: `${handle}-password-long` }))['token'] as string;
  }
}

describe('HTTP requests the property found answered wrongly', () => {
  it.each([
    ['a plain GET of the WebSocket address', 'GET', '/ws', null, 404, 'NOT_FOUND'],
    ['a static path outside its root', 'GET', '/listen/../%2F', null, 403, 'PERMISSION_DENIED'],
    ['a body too large', 'POST', '/api/accounts', Buffer.from(JSON.stringify({ handle: 'x'.repeat(70_000) })), 413, 'MESSAGE_TOO_LARGE'],
    ['a field whose length has no primitive value', 'POST', '/api/accounts', Buffer.from('{"handle":{"length":{"valueOf":0,"toString":0}},"displayName":"x","password":"y"}'), 400, 'VALIDATION'],
  ])('answers %s with a typed error', async (_what, method, path, body, status, code) => {
    const before = await snapshotTables(server);
    const answer = await send(method, path, body ? { 'content-type': 'application/json' } : {}, body);
    expect({ status: answer.status, body: JSON.parse(answer.text) as unknown }).toMatchObject({ status, body: { error: { code } } });
    expect(await snapshotTables(server)).toEqual(before);
  });
});

type HttpCall = typeof httpCall extends fc.Arbitrary<infer T> ? T : never;

/** Sends one call to one route and checks the answer, and that a refused request changed no row. */
async function checkCall(call: HttpCall, route: { method: string; url: string }, method: string): Promise<void> {
  await refreshTokens();
  const path = pathFor(route.url, call.segments) + call.query;
  const headers: Record<string, string> = { ...call.extra };
  if (call.authorization !== undefined) headers['authorization'] = call.authorization;
  if (call.contentType !== undefined && call.body) headers['content-type'] = call.contentType;
  const before = await snapshotTables(server);
  const answer = await send(method, path, headers, call.body);
  const what = `${method} ${path.slice(0, 200)} → ${answer.status} ${answer.text.slice(0, 300)}`;
  expect(answer.status, what).toBeGreaterThanOrEqual(200);
  expect(answer.text, what).not.toMatch(/\n\s+at |node_modules|\.ts:\d|password_hash|scrypt\$/);
  if (answer.status < 400) return;
  expect(await snapshotTables(server), what).toEqual(before);
  if (method === 'HEAD') return;
  expect(answer.type, what).toContain('application/json');
  const parsed = errorBody.safeParse(JSON.parse(answer.text));
  expect(parsed.success, what).toBe(true);
  const code = parsed.data!.error.code;
  expect(code, `${what}\n${JSON.stringify(server.errors.slice(-1))}`).not.toBe('INTERNAL');
  // The status its code means; 405, 414 and 415 are Fastify's own refusals of a method, URL or content type (VALIDATION).
  expect([STATUS[code], ...(code === 'VALIDATION' ? [405, 414, 415] : [])], what).toContain(answer.status);
  // 503 only for what cannot run here now (the server's parts, or ticket sales on a server without Stripe keys).
  expect(answer.status, what).toBeLessThan(code === 'UNAVAILABLE' || code === 'PAYMENTS_UNAVAILABLE' ? 504 : 500);
}

describe('HTTP routes under random requests (property)', () => {
  it('answers every route and method with a success or a typed 4xx, and a refused request changes nothing stored', async () => {
    await fc.assert(
      fc.asyncProperty(httpCall, async (call) => {
        const route = routes[call.route % routes.length]!;
        await checkCall(call, route, call.method ?? route.method);
      }),
      { numRuns: 300 },
    );
    expect(server.errors).toEqual([]);
    expect(server.crashes).toEqual([]);
    expect((await send('GET', '/health', {}, null)).status).toBe(200);
  }, 120_000);

  it('answers every route with its own method and random requests (a sweep, so no route is left to chance)', async () => {
    for (const route of routes) {
      for (const call of fc.sample(httpCall, 3)) await checkCall(call, route, route.method);
    }
    expect(server.errors).toEqual([]);
    expect(server.crashes).toEqual([]);
  }, 120_000);
});
