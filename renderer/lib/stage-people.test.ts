import { describe, expect, it } from 'vitest';
import { stageMember } from '../test/fake-signalling.ts';
import { stagePeople } from './stage-people.ts';

describe('the people on stage from the server’s stage', () => {
  it('marks as speaking whoever’s producer the server says is speaking, never someone without a producer', () => {
    const stage = [
      stageMember('h', 'host', 'p1', { accountId: 'a1', handle: 'host', displayName: 'Hedy' }),
      stageMember('s', 'speaker', null, { accountId: 'a2', handle: 'sam', displayName: 'Sam', muted: true }),
      stageMember('me', 'speaker', 'pme', { handle: null, muted: true, mutedByHost: true }),
    ];
    expect(stagePeople(stage, ['p1', 'nobody']).map((p) => [p.peerId, p.speaking, p.role, p.handle])).toEqual([
      ['h', true, 'host', 'host'],
      ['s', false, 'speaker', 'sam'],
      ['me', false, 'speaker', null],
    ]);
    expect(stagePeople(stage, []).every((p) => !p.speaking)).toBe(true);
  });

  it('keeps name, role and both mutes as the server says, and no media ids', () => {
    const [person] = stagePeople([stageMember('me', 'speaker', 'pme', { accountId: 'a3', handle: null, displayName: 'Me', muted: true, mutedByHost: true })], ['pme']);
    expect(person).toEqual({ peerId: 'me', displayName: 'Me', handle: null, role: 'speaker', muted: true, mutedByHost: true, speaking: true });
  });
});
