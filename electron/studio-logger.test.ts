import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../server/logger.ts';
import { createStudioLogger } from './studio-logger.ts';

const TOKEN = 'studio-token-0123456789abcdef';

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

describe('loggers never write the studio token', () => {
  for (const [name, make] of [
    ['studio', createStudioLogger],
    ['server', createLogger],
  ] as const) {
    it(`${name} logger redacts it wherever it sits`, () => {
      const out = capture();
      const logger = make('debug', out.stream);
      logger.info({ studioToken: TOKEN }, 'top level');
      logger.info({ connection: { url: 'http://127.0.0.1:4400', studioToken: TOKEN } }, 'nested');
      logger.debug({ request: { method: 'createSpace', data: { title: 'x', studioToken: TOKEN } } }, 'deeper');
      logger.child({ module: 'm' }).info({ env: { SPACECRAFT_STUDIO_TOKEN: TOKEN } }, 'env');
      logger.info({ token: TOKEN }, 'plain token');
      expect(out.text()).not.toContain(TOKEN);
      expect(out.text().match(/\[redacted\]/g)).toHaveLength(5);
      expect(out.text()).toContain('http://127.0.0.1:4400');
    });
  }
});
