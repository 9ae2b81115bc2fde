import { describe, expect, it } from 'vitest';
import type { SpaceState } from '../../server/signalling/protocol.ts';
import { wantedOf } from './stage-receiver.ts';

const member = (peerId: string, role: 'host' | 'speaker', producerId: string | null) => ({
  peerId,
  accountId: null,
  handle: null,
  displayName: peerId,
  role,
  producerId,
  muted: false,
  mutedByHost: false,
});
const space: SpaceState = {
  spaceId: 's',
  title: 't',
  status: 'live',
  listenerCount: 500,
  hostConnected: true,
  hostMuted: false,
  hostProducerId: 'p-host',
  stage: [member('host', 'host', 'p-host'), member('ada', 'speaker', 'p-ada')],
};

describe('what a connection receives (wantedOf)', () => {
  it('each producer on stage but its own, when the Space names no program', () => {
    expect([...wantedOf(space, 'bob').keys()]).toEqual(['p-host', 'p-ada']);
    expect([...wantedOf(space, 'ada').keys()]).toEqual(['p-host']);
  });

  it('only the program for a listener off stage once the Space names one; each voice still for someone on stage', () => {
    const large = { ...space, programProducerId: 'p-program' };
    expect([...wantedOf(large, 'bob').entries()]).toEqual([['p-program', 'program']]);
    expect([...wantedOf(large, null).keys()]).toEqual(['p-program']);
    // The program carries the speaker's own voice: on stage, they keep receiving the others one by one.
    expect([...wantedOf(large, 'ada').keys()]).toEqual(['p-host']);
  });
});
