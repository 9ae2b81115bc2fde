/**
 * The server's HTTP API as the integration tests call it: a typed fetch
 * (JSON in and out, a bearer token), the environment that points a test
 * server at a test database, and the check every hostile request must pass.
 */
import { expect } from 'vitest';
import type { DatabaseConfig } from '../../server/config.ts';
import { ERROR_CODES } from '../../server/errors.ts';
import { STATUS } from '../../server/http/app.ts';
import type { RunningServer } from '../../server/server.ts';

export type Answer = { status: number; headers: Headers; body: Record<string, unknown> & { error?: { code: string; message: string; details?: unknown } } };
export type Call = (method: string, path: string, options?: { body?: unknown; token?: string; rawBody?: string; contentType?: string }) => Promise<Answer>;

/** The server's environment for `config`: its PostgreSQL URL, or its data folder (in memory unless named). */
export function databaseEnv(config: DatabaseConfig): Record<string, string> {
  return config.kind === 'postgres' ? { DATABASE_URL: config.url } : { SPACECRAFT_DATA_DIR: config.dataDir ?? 'memory://' };
}

/** Calls `server`'s API: `body` goes as JSON (`rawBody` as it is), `token` as a bearer; an empty answer reads as `{}`. */
export function api(server: RunningServer): Call {
  return async (method, path, options = {}) => {
    const headers: Record<string, string> = {};
    if (options.body !== undefined || options.rawBody !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    if (options.token) headers['authorization'] = `Bearer ${options.token}`;
    const response = await fetch(`${server.url}${path}`, { method, headers, body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Answer['body']) : {} };
  };
}

/**
 * Whatever a hostile caller sends: never a server error; a refusal is a typed
 * error with its code's status (or 414 for a URL too long), and leaves what is
 * stored as it was (`before`, against `now()` read after the answer).
 */
export async function expectHarmless<T>(answer: Answer, before: T, now: () => Promise<T>): Promise<void> {
  expect(answer.status).toBeLessThan(500);
  if (answer.status >= 400) {
    const code = answer.body.error?.code as (typeof ERROR_CODES)[number];
    expect(ERROR_CODES).toContain(code);
    expect([STATUS[code], 414]).toContain(answer.status);
    expect(await now()).toEqual(before);
  }
}
