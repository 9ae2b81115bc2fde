/** Transcript routes: WebVTT and SRT that outside parsers read, released text only, typed errors for bad links, rate-limited. */
import Fastify, { type FastifyInstance } from 'fastify';
import srtParser from 'srt-parser-2';
import { WebVTTParser } from 'webvtt-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryCaptionRecords } from '../captions/caption-records.ts';
import { beginSegment, editSegment, releaseDue } from '../domain/captions.ts';
import { SpacecraftError } from '../errors.ts';
import { registerCaptionRoutes } from './caption-routes.ts';
import { STATUS } from './app.ts';

let app: FastifyInstance;
afterEach(async () => app?.close());

async function serve(perMinute = 30) {
  const records = new MemoryCaptionRecords();
  const speaker = (name: string) => ({ peerId: name, accountId: null, name });
  const heard = (text: string, startMs: number, endMs: number) => ({ status: 'final' as const, text, words: [], startMs, endMs });
  await records.saveSegment('s1', releaseDue(beginSegment({ id: 1, speaker: speaker('Ada'), heard: heard('hello the a', 1_000, 2_000), rules: [], holdBackMs: 0, now: 0 }), 0));
  await records.saveSegment('s1', editSegment(releaseDue(beginSegment({ id: 2, speaker: speaker('Bo <b>'), heard: heard('price is ten', 2_500, 4_000), rules: [], holdBackMs: 0, now: 0 }), 0), 'The price is $10.'));
  // Held back still: not in the transcript.
  await records.saveSegment('s1', beginSegment({ id: 3, speaker: speaker('Ada'), heard: heard('secret raw', 5_000, 6_000), rules: [], holdBackMs: 2_000, now: 0 }));
  app = Fastify();
  app.setErrorHandler((error, _request, reply) =>
    error instanceof SpacecraftError ? reply.status(STATUS[error.code]).send({ error: error.toWire() }) : reply.status(500).send({ error: { code: 'INTERNAL' } }),
  );
  registerCaptionRoutes(app, { records, spaceTitle: async (id) => (id === 's1' || id === 'empty' ? 'Morning show' : null), perMinute });
  return app;
}

describe('transcript routes', () => {
  it('serves WebVTT a WebVTT parser reads without errors: released text, corrections, voice tags', async () => {
    const app = await serve();
    const answer = await app.inject({ method: 'GET', url: '/api/spaces/s1/transcript.vtt' });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toBe('text/vtt; charset=utf-8');
    expect(answer.headers['content-disposition']).toBe('attachment; filename="spacecraft-s1.vtt"');
    const tree = new WebVTTParser().parse(answer.body, 'metadata');
    expect(tree.errors).toEqual([]);
    expect(tree.cues.map((c) => [c.startTime, c.endTime, c.tree.children[0]?.value, c.tree.children[0]?.children?.[0]?.value])).toEqual([
      [1, 2, 'Ada', 'hello the a'],
      [2.5, 4, 'Bo &lt;b&gt;', 'The price is $10.'],
    ]);
    expect(answer.body).not.toContain('secret raw');
    expect(answer.body).not.toContain('price is ten');
  });

  it('serves SRT an SRT parser reads', async () => {
    const app = await serve();
    const answer = await app.inject({ method: 'GET', url: '/api/spaces/s1/transcript.srt' });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toBe('application/x-subrip; charset=utf-8');
    expect(new srtParser().fromSrt(answer.body).map((c) => [c.startSeconds, c.endSeconds, c.text])).toEqual([
      [1, 2, 'Ada: hello the a'],
      [2.5, 4, 'Bo <b>: The price is $10.'],
    ]);
  });

  it('serves an empty transcript for a Space without captions, and NOT_FOUND or VALIDATION for bad links', async () => {
    const app = await serve();
    expect((await app.inject({ method: 'GET', url: '/api/spaces/empty/transcript.vtt' })).body).toBe('WEBVTT - Morning show\n');
    const missing = await app.inject({ method: 'GET', url: '/api/spaces/nope/transcript.vtt' });
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, 'NOT_FOUND']);
    for (const url of ['/api/spaces/s1/transcript.txt', '/api/spaces/s%201/transcript.vtt', `/api/spaces/${'x'.repeat(65)}/transcript.srt`]) {
      const bad = await app.inject({ method: 'GET', url });
      expect([bad.statusCode, bad.json().error.code], url).toEqual([400, 'VALIDATION']);
    }
  });

  it('limits how often one address asks', async () => {
    const app = await serve(3);
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push((await app.inject({ method: 'GET', url: '/api/spaces/s1/transcript.srt' })).statusCode);
    expect(codes).toEqual([200, 200, 200, 429, 429]);
  });
});
