/**
 * Every security decision of the studio window, as plain functions (no
 * `electron` import, so they are unit-tested under Node); electron/main only
 * wires them to Electron's hooks.
 *
 * The packaged studio is served from `app://studio/` (a privileged custom
 * scheme) rather than `file://`: file pages have an opaque origin (Chromium
 * sends `Origin: null` for their WebSockets, which any sandboxed iframe can
 * also send), so the bundled server could not tell the studio from a stranger.
 */
import { isAbsolute, join, normalize, relative, sep } from 'node:path';
import { STUDIO_APP_ORIGIN } from '../server/config-fields.ts';

/** `app://studio`, declared once beside the server's config (every server allows it). */
export const APP_ORIGIN = STUDIO_APP_ORIGIN;
const [scheme, host] = APP_ORIGIN.split('://') as [string, string];
export const APP_SCHEME = scheme;
export const APP_HOST = host;

/** Where the studio window loads its page from, and the origin that page has. */
export type AppPage = { url: string; origin: string };

/**
 * The packaged page, or electron-vite's dev server (`ELECTRON_RENDERER_URL`)
 * when not packaged and the dev URL is a loopback http(s) URL.
 */
export function appPage(options: { isPackaged: boolean; rendererUrl: string | undefined }): AppPage {
  const packaged = { url: `${APP_ORIGIN}/index.html`, origin: APP_ORIGIN };
  if (options.isPackaged || !options.rendererUrl) return packaged;
  const dev = parseUrl(options.rendererUrl);
  if (!dev || !['http:', 'https:'].includes(dev.protocol) || !isLoopbackHost(dev.hostname)) {
    throw new TypeError(`ELECTRON_RENDERER_URL must be an http(s) URL on this machine (got ${JSON.stringify(options.rendererUrl)}).`);
  }
  return { url: dev.toString(), origin: originOf(dev.toString())! };
}

/** `scheme://host[:port]` of a URL, also for custom schemes (whose WHATWG origin is "null"); null if unparsable. */
export function originOf(url: string): string | null {
  const parsed = parseUrl(url);
  if (!parsed || !parsed.host) return null;
  return `${parsed.protocol}//${parsed.host}`;
}

export function isAppUrl(url: string | undefined | null, page: AppPage): boolean {
  return typeof url === 'string' && originOf(url) === page.origin;
}

export type NavigationDecision = 'allow' | 'open-external' | 'deny';

/**
 * A navigation of the studio window (a link, a dropped file, a redirect):
 * only within the app's own page; web links open in the user's browser; the
 * rest (file:, javascript:, data:, other schemes) is refused.
 */
export function navigationDecision(target: string, page: AppPage): NavigationDecision {
  if (isAppUrl(target, page)) return 'allow';
  const parsed = parseUrl(target);
  if (parsed && (parsed.protocol === 'https:' || parsed.protocol === 'http:')) return 'open-external';
  return 'deny';
}

/** New windows are never opened; web links go to the user's browser. */
export function windowOpenDecision(target: string): 'open-external' | 'deny' {
  const parsed = parseUrl(target);
  return parsed && (parsed.protocol === 'https:' || parsed.protocol === 'http:') ? 'open-external' : 'deny';
}

/**
 * A permission request (getUserMedia) or check (device labels): only media,
 * audio only (no video, no screen), only for the app's own page; and choosing
 * an audio output (speaker-selection: the mixer's monitor plays on the
 * headphones the host picks), for the app's own page.
 */
export function permissionAllowed(
  request: { permission: string; origin: string | undefined | null; mediaTypes?: readonly string[] | undefined; mediaType?: string | undefined },
  page: AppPage,
): boolean {
  if (request.permission === 'speaker-selection') return isAppUrl(request.origin, page);
  if (request.permission !== 'media' || !isAppUrl(request.origin, page)) return false;
  if (request.mediaTypes !== undefined) return request.mediaTypes.length > 0 && request.mediaTypes.every((type) => type === 'audio');
  return request.mediaType === 'audio';
}

/** An IPC call: only from the app's own page. */
export function ipcSenderAllowed(senderFrameUrl: string | undefined | null, page: AppPage): boolean {
  return isAppUrl(senderFrameUrl, page);
}

/**
 * The file under `rendererDir` that an `app://studio/...` request names, or
 * null for another host, a path outside the directory, or a bad URL.
 */
export function appAssetPath(url: string, rendererDir: string): string | null {
  const parsed = parseUrl(url);
  if (!parsed || parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  const file = normalize(join(rendererDir, path === '/' ? 'index.html' : path));
  const inside = relative(rendererDir, file);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside) || inside.split(sep).includes('..')) return null;
  return file;
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}
