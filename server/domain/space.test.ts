import { describe, expect, it } from 'vitest';
import {
  addListener,
  assertLiveSpace,
  canTransition,
  endSpace,
  hostDisconnected,
  hostReturned,
  removeListener,
  startSpace,
  type PeerId,
  type SpaceId,
} from './space.ts';

const host = 'host' as PeerId;
const ana = 'ana' as PeerId;
const ben = 'ben' as PeerId;
const live = () => startSpace({ id: 's1' as SpaceId, title: 'Morning show', hostPeerId: host, now: 1000 });

describe('Space lifecycle', () => {
  it('follows scheduled → live → ended, or scheduled → cancelled, and nothing else', () => {
    expect(canTransition('scheduled', 'live')).toBe(true);
    expect(canTransition('scheduled', 'cancelled')).toBe(true);
    expect(canTransition('live', 'ended')).toBe(true);
    expect(canTransition('live', 'scheduled')).toBe(false);
    expect(canTransition('ended', 'live')).toBe(false);
    expect(canTransition('cancelled', 'live')).toBe(false);
  });

  it('starts live, with its host connected and no listeners', () => {
    const space = live();
    expect(space).toMatchObject({ status: 'live', hostConnected: true, listenerCount: 0, hostPeerId: host });
  });

  it('only the host ends it; ending twice is harmless', () => {
    expect(() => endSpace(live(), ana, 'host-ended', 2000)).toThrow(expect.objectContaining({ code: 'PERMISSION_DENIED' }));
    const ended = endSpace(live(), host, 'host-ended', 2000);
    expect(ended).toMatchObject({ status: 'ended', endedAt: 2000, endReason: 'host-ended' });
    expect(endSpace(addListener(live(), ana), host, 'host-ended', 1).listenerCount).toBe(0);
    expect(endSpace(ended, host, 'host-ended', 3000)).toBe(ended);
  });

  it('the server may end it for its own reasons', () => {
    expect(endSpace(live(), 'server', 'server-shutdown', 5)).toMatchObject({ status: 'ended', endReason: 'server-shutdown' });
  });
});

describe('listeners', () => {
  it('join and leave, and the count never goes below zero', () => {
    let space = addListener(addListener(live(), ana), ben);
    expect(space.listenerCount).toBe(2);
    space = removeListener(removeListener(removeListener(space)));
    expect(space.listenerCount).toBe(0);
  });

  it('the host is never counted as a listener', () => {
    expect(() => addListener(live(), host)).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
  });

  it('cannot join a Space that has ended', () => {
    const ended = endSpace(live(), host, 'host-ended', 2);
    expect(() => addListener(ended, ana)).toThrow(expect.objectContaining({ code: 'SPACE_ENDED' }));
  });

  it('does not change the Space it was given', () => {
    const space = live();
    addListener(space, ana);
    expect(space.listenerCount).toBe(0);
  });
});

describe('being live', () => {
  it('is asserted for every action on a Space that has ended', () => {
    expect(() => assertLiveSpace(live())).not.toThrow();
    expect(() => assertLiveSpace(endSpace(live(), host, 'host-ended', 2))).toThrow(expect.objectContaining({ code: 'SPACE_ENDED' }));
  });
});

describe('the host dropping and coming back', () => {
  it('waits for the host, who returns on a new connection and stays host', () => {
    const away = hostDisconnected(live());
    expect(away.hostConnected).toBe(false);
    const back = hostReturned(away, ben);
    expect(back).toMatchObject({ hostPeerId: ben, hostConnected: true });
  });

  it('cannot be taken over while the host is still connected, nor after it ended', () => {
    expect(() => hostReturned(live(), ben)).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    const ended = endSpace(hostDisconnected(live()), 'server', 'host-left', 9);
    expect(() => hostReturned(ended, ben)).toThrow(expect.objectContaining({ code: 'SPACE_ENDED' }));
  });
});
