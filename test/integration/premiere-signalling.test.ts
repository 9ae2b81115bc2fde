/**
 * Premieres over a real server (real signalling, handlers, mediasoup, the
 * database's stage records): who may say what plays (role × setNowPlaying →
 * allowed or the typed error, as in stage-authorization.test.ts), listeners
 * told in real time and a late joiner at once, a flood refused per
 * connection, and a host whose connection goes takes now-playing with it.
 */
import { describe, expect, it } from 'vitest';
import type { SignallingClient } from '../../renderer/lib/signalling-client.ts';
import { NOW_PLAYING_CHANGES } from '../../server/signalling/handlers/premiere-handlers.ts';
import { ACTORS, OK, outcome, useRoleCast, type Actor } from '../support/role-cast.ts';
import { nextNotification } from '../support/signalling.ts';

const ART = `data:image/jpeg;base64,${'/9j/'.repeat(500)}`;
const TRACK = { id: 'premiere-1', title: 'Night Drive', artist: 'The Tones', artwork: ART, durationMs: 200_000, positionMs: 0, playing: true };
const DENIED = 'PERMISSION_DENIED';
const NOT_IN = 'INVALID_STATE';
/** The host alone says what plays: a premiere is the host's show and a Space has one now-playing slot. */
const TABLE: Record<string, Record<Actor, string>> = {
  'setNowPlaying (a track)': { host: OK, cohost: DENIED, speaker: DENIED, listener: DENIED, guest: DENIED, outsider: NOT_IN },
  'setNowPlaying (nothing)': { host: OK, cohost: DENIED, speaker: DENIED, listener: DENIED, guest: DENIED, outsider: NOT_IN },
};
const ACTIONS: Record<string, (me: SignallingClient) => Promise<unknown>> = {
  'setNowPlaying (a track)': (me) => me.request('setNowPlaying', { track: TRACK }),
  'setNowPlaying (nothing)': (me) => me.request('setNowPlaying', { track: null }),
};

const roles = useRoleCast();
const { connect, close } = roles;
const cast = () => roles.cast('Premiere night');

describe('role × setNowPlaying, over real signalling', () => {
  for (const [name, run] of Object.entries(ACTIONS)) {
    it(`${name}: ${ACTORS.map((a) => `${a} → ${TABLE[name]![a]}`).join(', ')}`, async () => {
      const got: Record<string, string> = {};
      for (const actor of ACTORS) {
        const c = await cast();
        try {
          got[actor] = await outcome(run(c[actor]));
        } finally {
          close(c);
        }
      }
      expect(got).toEqual(TABLE[name]);
    });
  }

  it('the table names every premiere message of the protocol', async () => {
    const { premiereRequests } = await import('../../server/signalling/premiere-protocol.ts');
    const covered = new Set(Object.keys(ACTIONS).map((a) => a.split(' ')[0]));
    for (const method of Object.keys(premiereRequests)) expect(covered).toContain(method);
  });
});

describe('now playing reaches listeners', () => {
  it('tells everyone in real time, a late joiner at once, refuses bad data and a flood, and clears when the host goes', async () => {
    const c = await cast();
    try {
      const heard = nextNotification(c.guest, 'nowPlaying', (d) => d.nowPlaying?.id === 'premiere-1');
      await c.host.request('setNowPlaying', { track: TRACK });
      expect((await heard).nowPlaying).toMatchObject({ title: 'Night Drive', artist: 'The Tones', artwork: ART, durationMs: 200_000, playing: true });

      const paused = nextNotification(c.listener, 'nowPlaying', (d) => d.nowPlaying?.playing === false);
      await c.host.request('setNowPlaying', { track: { ...TRACK, positionMs: 42_000, playing: false } });
      // The same artwork is not sent twice.
      expect((await paused).nowPlaying).toEqual({ id: 'premiere-1', title: 'Night Drive', artist: 'The Tones', durationMs: 200_000, positionMs: 42_000, playing: false, at: expect.any(Number) });

      const late = await connect('outsider');
      const lateHeard = nextNotification(late, 'nowPlaying');
      await late.request('joinSpace', { spaceId: c.spaceId });
      expect((await lateHeard).nowPlaying).toMatchObject({ id: 'premiere-1', artwork: ART, positionMs: 42_000, playing: false });
      late.close();

      await expect(c.host.request('setNowPlaying', { track: { ...TRACK, positionMs: 200_001 } })).rejects.toMatchObject({ code: 'VALIDATION' });
      await expect(c.host.request('setNowPlaying', { track: { ...TRACK, artwork: 'data:image/svg+xml;base64,PHN2Zz4=' } })).rejects.toMatchObject({ code: 'VALIDATION' });

      const answers = await Promise.all(
        Array.from({ length: NOW_PLAYING_CHANGES + 2 }, (_, i) =>
          outcome(c.host.request('setNowPlaying', { track: { ...TRACK, positionMs: i * 1000 } })),
        ),
      );
      expect(answers.filter((a) => a === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(2);

      const cleared = nextNotification(c.guest, 'nowPlaying', (d) => d.nowPlaying === null);
      const ended = nextNotification(c.guest, 'spaceEnded');
      c.host.close();
      // The host's grace is 0 here: now-playing clears, then the Space ends.
      expect(await cleared).toEqual({ nowPlaying: null });
      expect(await ended).toMatchObject({ reason: 'host-left' });
    } finally {
      close(c);
    }
  });
});
