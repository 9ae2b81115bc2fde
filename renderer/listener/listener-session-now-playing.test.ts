/** ListenerSession follows what the host plays: the nowPlaying notification, artwork kept when left out, cleared on a new connection. */
import { describe, expect, it, vi } from 'vitest';
import type { SpaceState } from '../../server/signalling/protocol.ts';
import type { MediaSession } from '../lib/media-session.ts';
import type { SignallingClient } from '../lib/signalling-client.ts';
import { ListenerSession } from './listener-session.ts';

const space: SpaceState = { spaceId: 'space1', title: 'Premiere', status: 'live', listenerCount: 1, hostConnected: true, hostMuted: false, hostProducerId: null, stage: [] };
const ART = 'data:image/jpeg;base64,AAAA';
const WIRE = { id: 't1', title: 'Night Drive', artist: 'The Tones', artwork: ART, durationMs: 200_000, positionMs: 5_000, playing: true, at: 1 };

function fakeServer() {
  const listeners = new Map<string, (data: unknown) => void>();
  const signalling = {
    open: true,
    on: (name: string, listener: (data: unknown) => void) => {
      listeners.set(name, listener);
      return () => undefined;
    },
    onClose: () => () => undefined,
    request: async (method: string) => {
      // The server tells a joiner what plays before it answers the join.
      if (method === 'joinSpace') {
        listeners.get('nowPlaying')?.({ nowPlaying: WIRE });
        return { space, routerRtpCapabilities: {}, you: { peerId: 'me', role: 'listener', requestPending: false } };
      }
      return {};
    },
    close: () => undefined,
  };
  const media = { listen: async () => ({}), onConnectionState: () => () => undefined, close: () => undefined, unpublish: () => undefined };
  const session = new ListenerSession({
    connect: async () => signalling as unknown as SignallingClient,
    createMedia: async () => media as unknown as MediaSession,
    streamOf: () => ({}) as MediaStream,
    heartbeatMs: 0,
  });
  return { session, notify: (name: string, data: unknown) => listeners.get(name)!(data) };
}

describe('ListenerSession now playing', () => {
  it('takes what plays from the join, follows changes (keeping the artwork when left out) and clears', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(50_000);
    try {
      const { session, notify } = fakeServer();
      await session.join('http://127.0.0.1:4400', 'space1');
      expect(session.snapshot.nowPlaying).toEqual({ ...WIRE, receivedAt: 50_000 });
      vi.setSystemTime(60_000);
      const paused: Partial<typeof WIRE> = { ...WIRE, positionMs: 15_000, playing: false };
      delete paused.artwork;
      notify('nowPlaying', { nowPlaying: paused });
      expect(session.snapshot.nowPlaying).toEqual({ ...paused, artwork: ART, receivedAt: 60_000 });
      notify('nowPlaying', { nowPlaying: { ...WIRE, id: 't2', title: 'Second', artwork: null } });
      expect(session.snapshot.nowPlaying).toMatchObject({ id: 't2', title: 'Second', artwork: null });
      notify('nowPlaying', { nowPlaying: null });
      expect(session.snapshot.nowPlaying).toBeNull();
      session.close();
    } finally {
      vi.useRealTimers();
    }
  });
});
