/**
 * The listener page's calls to the account routes (server/http/account-routes.ts),
 * same origin. The session token travels only in `Authorization: Bearer`, never
 * in a cookie or a URL. Failures are thrown as `ReceivedError` with the
 * server's code, message and details (e.g. which sign-up fields are wrong).
 */
import { z } from 'zod';
import { ReceivedError } from '../../../server/errors.ts';
import { wireErrorSchema } from '../../../server/signalling/protocol.ts';

export const accountSchema = z.object({ id: z.string(), handle: z.string(), displayName: z.string() });
export type ListenerAccount = z.infer<typeof accountSchema>;

export const sessionSchema = z.object({ token: z.string().min(1), expiresAt: z.string(), account: accountSchema });
export type AccountSession = z.infer<typeof sessionSchema>;

export type SignUpInput = { handle: string; displayName: string; password: string };
export type SignInInput = { handle: string; password: string };

type Fetch = typeof fetch;

const UNREACHABLE = { code: 'UNAVAILABLE', message: 'The server cannot be reached right now. Check your connection and try again.' } as const;

export class AccountApi {
  readonly #serverUrl: string;
  readonly #fetch: Fetch;

  constructor(serverUrl: string, fetchImpl: Fetch = (input, init) => fetch(input, init)) {
    this.#serverUrl = serverUrl;
    this.#fetch = fetchImpl;
  }

  async signUp(input: SignUpInput): Promise<AccountSession> {
    return sessionSchema.parse(await this.#call('POST', '/api/accounts', null, input));
  }

  async signIn(input: SignInInput): Promise<AccountSession> {
    return sessionSchema.parse(await this.#call('POST', '/api/accounts/sessions', null, input));
  }

  /** The account a token belongs to; `PERMISSION_DENIED` when the session is gone or expired. */
  async me(token: string): Promise<ListenerAccount> {
    return accountSchema.parse(await this.#call('GET', '/api/accounts/me', token));
  }

  async signOut(token: string): Promise<void> {
    await this.#call('DELETE', '/api/accounts/sessions/current', token);
  }

  async #call(method: string, path: string, token: string | null, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = {};
    if (token) headers['authorization'] = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.#fetch(new URL(path, this.#serverUrl), { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit' });
    } catch {
      throw new ReceivedError(UNREACHABLE);
    }
    if (response.status === 204) return null;
    const json: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      const wire = wireErrorSchema.safeParse((json as { error?: unknown } | null)?.error);
      throw new ReceivedError(wire.success ? wire.data : { code: 'INTERNAL', message: `The server answered ${response.status}.` });
    }
    return json;
  }
}

/**
 * What a validation error says about each form field: the server lists problems
 * as `"handle: 3–20 characters: …"`. Returns `{ handle: '3–20 characters: …' }`.
 */
export function fieldProblems(error: unknown): Record<string, string> {
  const details = (error as { details?: unknown } | null)?.details;
  const problems: Record<string, string> = {};
  if (Array.isArray(details)) {
    for (const line of details) {
      if (typeof line !== 'string') continue;
      const match = /^(\w+): (.+)$/.exec(line);
      if (match) problems[match[1]!] = problems[match[1]!] ? `${problems[match[1]!]}; ${match[2]!}` : match[2]!;
    }
  } else if (details && typeof details === 'object' && typeof (details as { field?: unknown }).field === 'string') {
    problems[(details as { field: string }).field] = (error as { message: string }).message;
  }
  return problems;
}
