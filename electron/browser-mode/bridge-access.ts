/**
 * Who may open the browser-mode bridge: only the studio page it served, opened
 * with the printed URL. The URL's fragment carries a per-run key (never sent in
 * HTTP requests or a Referer); the page offers it as a WebSocket subprotocol
 * `key.<key>` beside `spacecraft-bridge`. The upgrade is accepted only when
 * Origin is the bridge's own origin, Host its own host (no DNS rebinding) and
 * the key matches (compared by digest, in constant time).
 */
import { randomBytes } from 'node:crypto';
import { sameSecret } from '../../server/secret.ts';
import { BRIDGE_KEY_PREFIX as KEY_PREFIX, BRIDGE_PROTOCOL } from '../contract.ts';

/** 32 random bytes, base64url: a valid subprotocol token and URL fragment. */
export function newBridgeKey(): string {
  return randomBytes(32).toString('base64url');
}

export function bridgeUrlWithKey(origin: string, key: string): string {
  return `${origin}/#key=${key}`;
}

export type UpgradeHeaders = { origin?: string | undefined; host?: string | undefined; 'sec-websocket-protocol'?: string | undefined };

/** Why an upgrade is refused, or null when it may proceed. */
export function refuseBridgeUpgrade(headers: UpgradeHeaders, expected: { origin: string; key: string }): string | null {
  const own = new URL(expected.origin);
  if (headers.origin !== expected.origin) return 'foreign origin';
  if (headers.host !== own.host) return 'foreign host';
  const offered = (headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  if (!offered.includes(BRIDGE_PROTOCOL)) return 'no bridge protocol';
  const key = offered.find((p) => p.startsWith(KEY_PREFIX))?.slice(KEY_PREFIX.length);
  if (key === undefined || !sameSecret(key, expected.key)) return 'wrong key';
  return null;
}
