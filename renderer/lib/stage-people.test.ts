import { describe, expect, it } from 'vitest';
import type { StageMember } from '../../server/signalling/protocol.ts';
import { stagePeople } from './stage-people.ts';

const member = (patch: Partial<StageMember> & { peerId: string }): StageMember => ({
  accountId: null,
  handle: null,
  displayName: patch.peerId,
  role: 'speaker',
  producerId: null,
  muted: true,
  mutedByHost: false,
  ...patch,
});

describe('the people on stage from the server’s stage', () => {
  it('marks as speaking whoever’s producer the server says is speaking, never someone without a producer', () => {
    const stage = [
      member({ peerId: 'h', accountId: 'a1', handle: 'host', displayName: 'Hedy', role: 'host', producerId: 'p1', muted: false }),
      member({ peerId: 's', accountId: 'a2', handle: 'sam', displayName: 'Sam', producerId: null }),
      member({ peerId: 'me', producerId: 'pme', mutedByHost: true }),
    ];
    expect(stagePeople(stage, ['p1', 'nobody']).map((p) => [p.peerId, p.speaking, p.role, p.handle])).toEqual([
      ['h', true, 'host', 'host'],
      ['s', false, 'speaker', 'sam'],
      ['me', false, 'speaker', null],
    ]);
    expect(stagePeople(stage, []).every((p) => !p.speaking)).toBe(true);
  });

  it('keeps name, role and both mutes as the server says, and no media ids', () => {
    const [person] = stagePeople([member({ peerId: 'me', accountId: 'a3', displayName: 'Me', producerId: 'pme', muted: true, mutedByHost: true })], ['pme']);
    expect(person).toEqual({ peerId: 'me', displayName: 'Me', handle: null, role: 'speaker', muted: true, mutedByHost: true, speaking: true });
  });
});
