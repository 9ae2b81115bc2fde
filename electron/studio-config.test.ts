import { describe, expect, it } from 'vitest';
import { loadStudioConfig } from './studio-config.ts';

describe('studio config', () => {
  it('runs a bundled server by default', () => {
    expect(loadStudioConfig({}, '/data')).toEqual({ remote: null, serverPort: 4400, bridgePort: 4401, dataDir: '/data', logLevel: 'info' });
  });

  it('uses a remote server given only its URL (the studio signs in there)', () => {
    const config = loadStudioConfig({ SPACECRAFT_SERVER_URL: 'https://spaces.example.com/' }, '/d');
    expect(config.remote).toEqual({ url: 'https://spaces.example.com' });
  });

  it('refuses bad ports', () => {
    expect(() => loadStudioConfig({ SPACECRAFT_BRIDGE_PORT: '70000' }, '/d')).toThrow(/SPACECRAFT_BRIDGE_PORT/);
  });

  it('refuses a remote server over plain http unless it is on this machine', () => {
    for (const url of ['http://spaces.example.com', 'http://192.168.1.20:4400', 'ws://spaces.example.com', 'ftp://spaces.example.com']) {
      expect(() => loadStudioConfig({ SPACECRAFT_SERVER_URL: url }, '/d'), url).toThrow(/SPACECRAFT_SERVER_URL: a remote server must be reached over https:\/\//);
    }
    for (const url of ['http://127.0.0.1:4400', 'http://localhost:4400', 'http://[::1]:4400', 'https://spaces.example.com']) {
      expect(loadStudioConfig({ SPACECRAFT_SERVER_URL: url }, '/d').remote?.url, url).toBe(url);
    }
  });
});
