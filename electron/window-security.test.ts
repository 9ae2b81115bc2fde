import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  APP_ORIGIN,
  appAssetPath,
  appPage,
  ipcSenderAllowed,
  isAppUrl,
  navigationDecision,
  permissionAllowed,
  windowOpenDecision,
} from './window-security.ts';
import { allowedOrigins } from '../server/signalling/session-hub.ts';

const packaged = appPage({ isPackaged: true, rendererUrl: undefined });
const dev = appPage({ isPackaged: false, rendererUrl: 'http://localhost:5173/' });

describe('the studio page', () => {
  it('is app://studio when packaged, even if ELECTRON_RENDERER_URL is set', () => {
    expect(packaged).toEqual({ url: 'app://studio/index.html', origin: 'app://studio' });
    expect(appPage({ isPackaged: true, rendererUrl: 'http://localhost:5173/' })).toEqual(packaged);
  });

  it('is the dev server when not packaged, on loopback only', () => {
    expect(dev).toEqual({ url: 'http://localhost:5173/', origin: 'http://localhost:5173' });
    expect(appPage({ isPackaged: false, rendererUrl: undefined })).toEqual(packaged);
    expect(() => appPage({ isPackaged: false, rendererUrl: 'https://evil.example/' })).toThrow(/ELECTRON_RENDERER_URL must be an http\(s\) URL on this machine/);
    expect(() => appPage({ isPackaged: false, rendererUrl: 'file:///tmp/x.html' })).toThrow(/ELECTRON_RENDERER_URL/);
  });

  it('recognises its own URLs only', () => {
    expect(isAppUrl('app://studio/index.html', packaged)).toBe(true);
    expect(isAppUrl('app://studio/assets/x.js?v=1#y', packaged)).toBe(true);
    for (const other of ['app://studio.evil/index.html', 'app://other/', 'file:///index.html', 'http://studio/', 'about:blank', '', 'not a url']) {
      expect(isAppUrl(other, packaged), other).toBe(false);
    }
    expect(isAppUrl(undefined, packaged)).toBe(false);
    expect(isAppUrl('http://localhost:5173/src/x.ts', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5174/', dev)).toBe(false);
  });
});

describe('navigation of the studio window', () => {
  it('stays within the app; web links go to the browser; dropped files and scripts go nowhere', () => {
    expect(navigationDecision('app://studio/index.html', packaged)).toBe('allow');
    expect(navigationDecision('https://spaces.example/s/abc', packaged)).toBe('open-external');
    expect(navigationDecision('http://127.0.0.1:4400/s/abc', packaged)).toBe('open-external');
    expect(navigationDecision('file:///home/creator/Music/show.mp3', packaged)).toBe('deny');
    expect(navigationDecision('javascript:alert(1)', packaged)).toBe('deny');
    expect(navigationDecision('data:text/html,<h1>hi</h1>', packaged)).toBe('deny');
    expect(navigationDecision('app://other/', packaged)).toBe('deny');
  });

  it('never opens new windows', () => {
    expect(windowOpenDecision('https://spaces.example/')).toBe('open-external');
    expect(windowOpenDecision('file:///etc/passwd')).toBe('deny');
    expect(windowOpenDecision('app://studio/index.html')).toBe('deny');
  });
});

describe('permissions', () => {
  it('grants a microphone request from the app', () => {
    expect(permissionAllowed({ permission: 'media', origin: 'app://studio/index.html', mediaTypes: ['audio'] }, packaged)).toBe(true);
  });

  it('lets the app page choose an audio output (the monitor’s headphones), and no other page', () => {
    expect(permissionAllowed({ permission: 'speaker-selection', origin: 'app://studio/index.html' }, packaged)).toBe(true);
    expect(permissionAllowed({ permission: 'speaker-selection', origin: 'https://evil.example/' }, packaged)).toBe(false);
    expect(permissionAllowed({ permission: 'speaker-selection', origin: undefined }, packaged)).toBe(false);
  });

  it('refuses video, screen, other permissions and other origins', () => {
    const refused = [
      { permission: 'media', origin: 'app://studio/index.html', mediaTypes: ['video'] },
      { permission: 'media', origin: 'app://studio/index.html', mediaTypes: ['audio', 'video'] },
      { permission: 'media', origin: 'app://studio/index.html', mediaTypes: [] },
      { permission: 'display-capture', origin: 'app://studio/index.html' },
      { permission: 'geolocation', origin: 'app://studio/index.html' },
      { permission: 'notifications', origin: 'app://studio/index.html' },
      { permission: 'media', origin: 'https://evil.example/', mediaTypes: ['audio'] },
      { permission: 'media', origin: 'file:///x.html', mediaTypes: ['audio'] },
      { permission: 'media', origin: undefined, mediaTypes: ['audio'] },
    ];
    for (const request of refused) expect(permissionAllowed(request, packaged), JSON.stringify(request)).toBe(false);
  });

  it('answers permission checks the same way (audio from the app only)', () => {
    expect(permissionAllowed({ permission: 'media', origin: 'app://studio', mediaType: 'audio' }, packaged)).toBe(true);
    expect(permissionAllowed({ permission: 'media', origin: 'app://studio', mediaType: 'video' }, packaged)).toBe(false);
    expect(permissionAllowed({ permission: 'media', origin: 'app://studio', mediaType: 'unknown' }, packaged)).toBe(false);
    expect(permissionAllowed({ permission: 'media', origin: 'https://evil.example', mediaType: 'audio' }, packaged)).toBe(false);
  });
});

describe('IPC senders', () => {
  it('accepts the app page only', () => {
    expect(ipcSenderAllowed('app://studio/index.html', packaged)).toBe(true);
    expect(ipcSenderAllowed('https://evil.example/', packaged)).toBe(false);
    expect(ipcSenderAllowed('file:///tmp/dropped.html', packaged)).toBe(false);
    expect(ipcSenderAllowed(undefined, packaged)).toBe(false);
  });
});

describe('app://studio assets', () => {
  const dir = join('/opt', 'spacecraft', 'out', 'renderer');

  it('maps paths inside the renderer directory', () => {
    expect(appAssetPath('app://studio/', dir)).toBe(join(dir, 'index.html'));
    expect(appAssetPath('app://studio/index.html', dir)).toBe(join(dir, 'index.html'));
    expect(appAssetPath('app://studio/assets/index-abc.js?x=1', dir)).toBe(join(dir, 'assets', 'index-abc.js'));
  });

  it('never leaves it', () => {
    for (const url of ['app://studio/../../etc/passwd', 'app://studio/%2e%2e/%2e%2e/etc/passwd', 'app://studio/assets/..%2F..%2F..%2Fetc%2Fpasswd', 'app://studio/..%5C..%5Cwindows']) {
      const path = appAssetPath(url, dir);
      expect(path === null || path.startsWith(`${dir}/`), `${url} → ${path}`).toBe(true);
    }
    expect(appAssetPath('app://studio/assets/..%2F..%2F..%2Fetc%2Fpasswd', dir)).toBeNull();
  });

  it('refuses bad paths, other hosts and schemes', () => {
    for (const url of ['app://studio/%00', 'app://studio/%E0%A4%A', 'app://other/index.html', 'file:///etc/passwd']) {
      expect(appAssetPath(url, dir), url).toBeNull();
    }
  });
});

it('the studio page has the origin every server allows', () => {
  expect(APP_ORIGIN).toBe('app://studio');
  expect(allowedOrigins('http://127.0.0.1:4400', []).has(packaged.origin)).toBe(true);
});
