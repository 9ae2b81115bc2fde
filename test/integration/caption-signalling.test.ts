/**
 * Caption requests over a real server (real signalling, handlers, database): who may control
 * captions (role × request → allowed or the typed error), bad input refused per field, a flood
 * refused per connection, listeners told where captions stand as they join, the host's vocabulary
 * and rules kept for their next Space, the transcript routes, and a server without an engine
 * saying UNAVAILABLE. No microphone publishes here, so no engine process starts (the command is
 * never run); the engine itself is covered by the e2e test.
 */
import { describe, expect, it } from 'vitest';
import type { SignallingClient } from '../../renderer/lib/signalling-client.ts';
import { ACTORS, OK, outcome, useRoleCast } from '../support/role-cast.ts';
import { startTestServer } from '../support/server-fixture.ts';
import { nextNotification } from '../support/signalling.ts';

const ALLOWED = { host: OK, cohost: OK, speaker: 'PERMISSION_DENIED', listener: 'PERMISSION_DENIED', guest: 'PERMISSION_DENIED', outsider: 'INVALID_STATE' };
const ACTIONS: Record<string, (me: SignallingClient) => Promise<unknown>> = {
  captionSettings: (me) => me.request('captionSettings', {}),
  setCaptionsPaused: (me) => me.request('setCaptionsPaused', { paused: true }),
  setCaptionHoldBack: (me) => me.request('setCaptionHoldBack', { holdBackMs: 3000 }),
  addCaptionWord: (me) => me.request('addCaptionWord', { word: 'Zorblax', phones: 'Z AO R B L AE K S' }),
  addCaptionReplacement: (me) => me.request('addCaptionReplacement', { heard: 'space craft', written: 'Spacecraft' }),
  removeCaptionReplacement: (me) => me.request('removeCaptionReplacement', { heard: 'nothing here' }),
};

const roles = useRoleCast({ SPACECRAFT_CAPTION_ENGINE: '/bin/false' });
const { connect, close } = roles;
const cast = () => roles.cast('Captions night');

describe('role × caption requests, over real signalling', () => {
  it(`only the host and co-hosts: ${Object.entries(ALLOWED).map(([a, r]) => `${a} → ${r}`).join(', ')}`, async () => {
    const c = await cast();
    try {
      for (const [name, run] of Object.entries(ACTIONS)) {
        const got: Record<string, string> = {};
        for (const actor of ACTORS) got[actor] = await outcome(run(c[actor]));
        expect({ [name]: got }).toEqual({ [name]: ALLOWED });
      }
      // Correcting a line that does not exist: the host is told NOT_FOUND, the others are refused first.
      const edits: Record<string, string> = {};
      for (const actor of ACTORS) edits[actor] = await outcome(c[actor].request('editCaption', { segmentId: 1, text: 'x' }));
      expect(edits).toEqual({ ...ALLOWED, host: 'NOT_FOUND', cohost: 'NOT_FOUND' });
    } finally {
      close(c);
    }
  });

  it('the table names every caption request of the protocol', async () => {
    const { captionRequests } = await import('../../server/signalling/caption-protocol.ts');
    expect(Object.keys(captionRequests).sort()).toEqual([...Object.keys(ACTIONS), 'editCaption'].sort());
  });
});

describe('caption requests, hostile', () => {
  it('refuses bad input per field and a flood per connection; listeners learn where captions stand', async () => {
    const c = await cast();
    try {
      const bad = [
        c.host.request('editCaption', { segmentId: 1, text: 'x'.repeat(1001) }),
        c.host.request('editCaption', { segmentId: -1, text: 'x' }),
        c.host.request('setCaptionHoldBack', { holdBackMs: 10_001 }),
        c.host.request('addCaptionWord', { word: 'two words' }),
        c.host.request('addCaptionWord', { word: 'Zorblax', phones: 'Z; rm -rf /' }),
        c.host.request('addCaptionReplacement', { heard: '', written: 'x' }),
        c.host.request('setCaptionsPaused', { paused: 'yes' } as never),
      ];
      for (const answer of bad) expect(await outcome(answer)).toBe('VALIDATION');

      const late = await connect('outsider');
      const status = nextNotification(late, 'captionStatus');
      await late.request('joinSpace', { spaceId: c.spaceId });
      expect(await status).toEqual({ available: true, pausedBy: null, holdBackMs: 2000, problem: null });
      const paused = nextNotification(late, 'captionStatus', (s) => s.pausedBy === 'host');
      await c.cohost.request('setCaptionsPaused', { paused: true });
      expect((await paused).pausedBy).toBe('host');
      late.close();

      const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => outcome(c.host.request('setCaptionHoldBack', { holdBackMs: i * 100 }))));
      expect(answers.filter((a) => a === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(10);
      expect(answers.every((a) => a === OK || a === 'RATE_LIMITED')).toBe(true);
    } finally {
      close(c);
    }
  });
});

describe('what lasts', () => {
  it('keeps the host’s vocabulary and rules for their next Space, and serves its transcripts', async () => {
    const first = await connect('host');
    const { space } = await first.request('createSpace', { title: 'First' });
    await first.request('addCaptionWord', { word: 'Theia', phones: 'TH IY AH' });
    await first.request('addCaptionReplacement', { heard: 'the a', written: 'Theia' });
    await first.request('endSpace', {});
    first.close();
    const second = await connect('host');
    await second.request('createSpace', { title: 'Second' });
    const settings = await second.request('captionSettings', {});
    expect(settings.vocabulary).toContainEqual({ word: 'Theia', phones: 'TH IY AH' });
    expect(settings.replacements).toContainEqual({ heard: 'the a', written: 'Theia' });
    await second.request('endSpace', {});
    second.close();

    const vtt = await fetch(`${roles.server.url}/api/spaces/${space.spaceId}/transcript.vtt`);
    expect([vtt.status, vtt.headers.get('content-type'), await vtt.text()]).toEqual([200, 'text/vtt; charset=utf-8', 'WEBVTT - First\n']);
    const srt = await fetch(`${roles.server.url}/api/spaces/${space.spaceId}/transcript.srt`);
    expect(srt.status).toBe(200);
    expect((await fetch(`${roles.server.url}/api/spaces/nope/transcript.vtt`)).status).toBe(404);
  });
});

describe('a server without a caption engine', () => {
  it('answers caption requests with UNAVAILABLE, and the Space works', async () => {
    const plain = await startTestServer({ SPACECRAFT_CAPTION_ENGINE: 'off' });
    try {
      const host = await connect('host', plain);
      await host.request('createSpace', { title: 'No captions' });
      expect(await outcome(host.request('captionSettings', {}))).toBe('UNAVAILABLE');
      expect(await outcome(host.request('setCaptionsPaused', { paused: true }))).toBe('UNAVAILABLE');
      expect(await outcome(host.request('setMuted', { muted: true }))).toBe(OK);
      host.close();
    } finally {
      await plain.close();
    }
  });
});
