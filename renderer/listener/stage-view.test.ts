import { describe, expect, it } from 'vitest';
import type { StageMember } from '../../server/signalling/protocol.ts';
import { myPart } from './stage-view.ts';

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

const stage = [member({ peerId: 'h', role: 'host', producerId: 'ph', muted: false }), member({ peerId: 'me', producerId: 'pme', muted: true, mutedByHost: true })];

describe('the listener page stage view', () => {
  it('is a listener with a pending request until the server seats them', () => {
    expect(myPart({ stage, you: { peerId: 'other', role: 'listener', requestPending: true }, signedIn: true, publishing: false })).toEqual({
      part: { role: 'listener', signedIn: true, requestPending: true, mic: null },
      inGreenRoom: false,
    });
    expect(myPart({ stage, you: null, signedIn: false, publishing: false }).part).toEqual({ role: 'listener', signedIn: false, requestPending: false, mic: null });
  });

  it('is in the green room once accepted and until the microphone is published, then has its mic state from the stage', () => {
    const you = { peerId: 'me', role: 'speaker' as const, requestPending: false };
    expect(myPart({ stage, you, signedIn: true, publishing: false })).toMatchObject({ inGreenRoom: true, part: { mic: null } });
    expect(myPart({ stage, you, signedIn: true, publishing: true })).toMatchObject({ inGreenRoom: false, part: { role: 'speaker', mic: { muted: true, mutedByHost: true } } });
  });
});
