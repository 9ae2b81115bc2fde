/**
 * The listener page's calls to the ticket routes (server/http/ticket-routes.ts), same origin, the
 * session token in `Authorization: Bearer`. Failures are thrown as `ReceivedError` with the
 * server's code and message (SOLD_OUT, SALES_CLOSED, PAYMENTS_UNAVAILABLE…).
 */
import { ReceivedError } from '../../../server/errors.ts';
import { buyerRefundJsonSchema, checkoutJsonSchema, ticketsJsonSchema, wireErrorSchema, type BuyerRefundJson, type CheckoutJson, type TicketsJson } from '../../../server/signalling/protocol.ts';

const UNREACHABLE = { code: 'UNAVAILABLE', message: 'The server cannot be reached right now. Check your connection and try again.' } as const;

async function call(serverUrl: string, method: string, path: string, token: string | null, body?: unknown): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(new URL(path, serverUrl), {
      method,
      cache: 'no-store',
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ReceivedError(UNREACHABLE);
  }
  const json: unknown = response.status === 204 ? {} : await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = wireErrorSchema.safeParse((json as { error?: unknown }).error);
    throw new ReceivedError(error.success ? error.data : { code: 'INTERNAL', message: 'Something went wrong on the server.' });
  }
  return json;
}

const space = (spaceId: string) => `/api/spaces/${encodeURIComponent(spaceId)}`;

export async function loadTickets(serverUrl: string, spaceId: string, token: string | null): Promise<TicketsJson> {
  return ticketsJsonSchema.parse(await call(serverUrl, 'GET', `${space(spaceId)}/tickets`, token));
}

export async function startCheckout(serverUrl: string, spaceId: string, token: string): Promise<CheckoutJson> {
  return checkoutJsonSchema.parse(await call(serverUrl, 'POST', `${space(spaceId)}/checkout`, token, {}));
}

/** The buyer's ticket after the Space moved: may they ask for a refund, until when. */
export async function loadRefundState(serverUrl: string, spaceId: string, token: string): Promise<BuyerRefundJson> {
  return buyerRefundJsonSchema.parse(await call(serverUrl, 'GET', `${space(spaceId)}/refund`, token));
}

/** Asks for the refund the move allows (the server runs it as a durable job). */
export async function askRefund(serverUrl: string, spaceId: string, token: string): Promise<void> {
  await call(serverUrl, 'POST', `${space(spaceId)}/refund`, token);
}

export async function confirmCheckout(serverUrl: string, spaceId: string, sessionId: string, token: string): Promise<TicketsJson> {
  return ticketsJsonSchema.parse(await call(serverUrl, 'POST', `${space(spaceId)}/checkout/${encodeURIComponent(sessionId)}/confirm`, token));
}
