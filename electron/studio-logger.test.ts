import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../server/logger.ts';
import { createStudioLogger } from './studio-logger.ts';

const TOKEN = 'session-token-0123456789abcdef';
const PASSWORD = 'correct-horse-battery';

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  return { stream, text: () => chunks.join('') };
}

describe('loggers never write a session token or a password', () => {
  for (const [name, make] of [
    ['studio', createStudioLogger],
    ['server', createLogger],
  ] as const) {
    it(`${name} logger redacts them wherever they sit`, () => {
      const out = capture();
      const logger = make('debug', out.stream);
      logger.info({ sessionToken: TOKEN }, 'top level');
      logger.info({ session: { serverUrl: 'http://127.0.0.1:4400', token: TOKEN } }, 'nested');
      logger.debug({ request: { method: 'signIn', data: { sessionToken: TOKEN } } }, 'deeper');
      logger.child({ module: 'm' }).info({ body: { handle: 'demo_creator', password: PASSWORD } }, 'sign-in body');
      logger.info({ headers: { authorization: `Bearer ${TOKEN}` } }, 'header');
      expect(out.text()).not.toContain(TOKEN);
      expect(out.text()).not.toContain(PASSWORD);
      expect(out.text().match(/\[redacted\]/g)).toHaveLength(5);
      expect(out.text()).toContain('http://127.0.0.1:4400');
      expect(out.text()).toContain('demo_creator');
    });
  }

  it("studio logger also redacts the bridge's key", () => {
    const out = capture();
    createStudioLogger('info', out.stream).info({ bridge: { url: 'http://127.0.0.1:4401', key: 'bridge-key-0123456789' } }, 'bridge');
    expect(out.text()).not.toContain('bridge-key-0123456789');
    expect(out.text()).toContain('[redacted]');
  });
});
