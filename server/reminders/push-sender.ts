/**
 * Web Push (`web-push` for VAPID and the RFC 8291 encryption; the request itself goes out with
 * `fetch`, bounded in time, redirects refused). The VAPID key pair is made on the first start and
 * kept in the database (`vapid_keys`, one row; a second node starting at once keeps the first's).
 *
 * Endpoints are URLs a browser gave a user, so the server would POST wherever a user says: only
 * `https://` endpoints with a host name are accepted (no IP literals, no loopback), plus the
 * origins named in SPACECRAFT_PUSH_ENDPOINT_ORIGINS (a local push service, the tests).
 * Each message carries a Topic made from its ledger key: a push re-sent after a crash replaces the
 * first at the push service if it is still undelivered.
 */
import { createHash } from 'node:crypto';
import webpush from 'web-push';
import type { Db } from '../db/database.ts';
import { ValidationError } from '../errors.ts';

export type PushTarget = { endpoint: string; p256dh: string; auth: string };
export type PushPayload = { title: string; body: string; url: string; tag: string };
export type PushResult = 'sent' | 'gone';

export interface PushSender {
  readonly publicKey: string;
  send(target: PushTarget, payload: PushPayload, idempotencyKey: string): Promise<PushResult>;
}

export async function loadVapidKeys(db: Db): Promise<{ publicKey: string; privateKey: string }> {
  const made = webpush.generateVAPIDKeys();
  await db.insertInto('vapid_keys').values({ id: 1, public_key: made.publicKey, private_key: made.privateKey }).onConflict((c) => c.column('id').doNothing()).execute();
  const row = await db.selectFrom('vapid_keys').select(['public_key', 'private_key']).where('id', '=', 1).executeTakeFirstOrThrow();
  return { publicKey: row.public_key, privateKey: row.private_key };
}

/** Checks a push endpoint the way the sender will (throws VALIDATION). */
export function validatePushEndpoint(endpoint: string, allowedOrigins: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ValidationError('That push subscription is not valid.', ['endpoint: not a URL']);
  }
  if (allowedOrigins.includes(url.origin)) return url.href;
  const host = url.hostname;
  const ipLiteral = /^[0-9.]+$/.test(host) || host.startsWith('[');
  if (url.protocol !== 'https:' || ipLiteral || host === 'localhost' || !host.includes('.') || url.username || url.password) {
    throw new ValidationError('That push subscription is not valid.', ['endpoint: an https:// URL of a push service']);
  }
  return url.href;
}

export class WebPushSender implements PushSender {
  readonly publicKey: string;
  readonly #privateKey: string;
  readonly #subject: string;

  constructor(keys: { publicKey: string; privateKey: string }, subject: string) {
    this.publicKey = keys.publicKey;
    this.#privateKey = keys.privateKey;
    this.#subject = subject;
  }

  async send(target: PushTarget, payload: PushPayload, idempotencyKey: string): Promise<PushResult> {
    const details = webpush.generateRequestDetails({ endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } }, JSON.stringify(payload), {
      vapidDetails: { subject: this.#subject, publicKey: this.publicKey, privateKey: this.#privateKey },
      TTL: 3600,
      urgency: 'high',
      topic: createHash('sha256').update(idempotencyKey).digest('base64url').slice(0, 32),
      contentEncoding: 'aes128gcm',
    });
    const response = await fetch(details.endpoint, {
      method: details.method,
      headers: details.headers as Record<string, string>,
      body: details.body ? new Uint8Array(details.body) : null,
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
    await response.body?.cancel();
    if (response.status === 404 || response.status === 410) return 'gone';
    if (response.status < 200 || response.status >= 300) throw new Error(`push service answered ${response.status}`);
    return 'sent';
  }
}
