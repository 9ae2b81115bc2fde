import { describe, expect, it } from 'vitest';
import type { SpaceState } from '../../server/signalling/protocol.ts';
import { stateLine } from './listener-app.tsx';
import type { ListenerSnapshot } from './listener-session.ts';

const space: SpaceState = { spaceId: 's', title: 'Show', status: 'live', listenerCount: 3, hostConnected: true, hostMuted: false, hostProducerId: null, stage: [] };
const snapshot = (patch: Partial<ListenerSnapshot>): ListenerSnapshot => ({ phase: 'waiting', space, stream: null, streams: [], endReason: null, you: null, speaking: [], publishing: false, signedIn: false, reconnectAttempt: 0, nowPlaying: null, ...patch });

describe('the listener state line', () => {
  it('says the host dropped and may come back, rather than that the Space ended', () => {
    expect(stateLine(snapshot({ space: { ...space, hostConnected: false } }))).toBe('The host’s connection dropped. Waiting for them to come back…');
    expect(stateLine(snapshot({}))).toBe('Connected. Waiting for the host’s audio…');
    expect(stateLine(snapshot({ phase: 'connecting' }))).toBe('Connecting…');
    expect(stateLine(snapshot({ phase: 'connecting', waitSeconds: 3 }))).toBe('Many people are joining right now. You are in in 3 s…');
  });

  it('says why the Space ended', () => {
    expect(stateLine(snapshot({ phase: 'ended', endReason: 'host-left' }))).toBe('The host disconnected, so this Space has ended.');
  });

  it('tells an unstable connection from a lost one, and says when it gave up', () => {
    expect(stateLine(snapshot({ phase: 'reconnecting', reconnectAttempt: 0 }))).toBe('The connection is unstable. Reconnecting…');
    expect(stateLine(snapshot({ phase: 'reconnecting', reconnectAttempt: 2 }))).toBe('The connection was lost. Reconnecting…');
    expect(stateLine(snapshot({ phase: 'disconnected' }))).toBe('Could not reconnect. Check your connection and try again.');
  });
});
