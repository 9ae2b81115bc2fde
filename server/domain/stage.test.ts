import { describe, expect, it } from 'vitest';
import type { PeerId } from './space.ts';
import {
  acceptRequest,
  addRequest,
  authorize,
  createStage,
  dropRequest,
  forget,
  grantSeat,
  isAllowed,
  isMuted,
  isReaction,
  MAX_COHOSTS,
  MAX_PENDING_REQUESTS,
  MAX_SPEAKERS,
  moveHostSeat,
  requestOf,
  roleOf,
  seatOf,
  seatOfProducer,
  setModeratorMuted,
  setProducer,
  setSelfMuted,
  STAGE_ACTIONS,
  unseat,
  type Actor,
  type Role,
  type Stage,
  type StageAction,
} from './stage.ts';

const peer = (name: string) => name as PeerId;
const person = (name: string) => ({ peerId: peer(name), accountId: `acc-${name}`, handle: name, displayName: name.toUpperCase() });
const request = (name: string, at = 1) => ({ ...person(name), accountId: `acc-${name}`, at });
const stage = () => createStage(person('host'));

function withSpeakers(n: number, base: Stage = stage()): Stage {
  let s = base;
  for (let i = 0; i < n; i++) s = acceptRequest(addRequest(s, request(`s${i}`)), peer(`s${i}`));
  return s;
}

describe('who may do what', () => {
  // Every action for every kind of actor: allowed (✓) or refused with PERMISSION_DENIED.
  const ACTORS: Record<string, Actor> = {
    host: { role: 'host', signedIn: true },
    cohost: { role: 'cohost', signedIn: true },
    speaker: { role: 'speaker', signedIn: true },
    listener: { role: 'listener', signedIn: true },
    guest: { role: 'listener', signedIn: false },
  };
  const TABLE: Record<StageAction, string[]> = {
    publish: ['host', 'cohost', 'speaker'],
    setOwnMute: ['host', 'cohost', 'speaker'],
    requestToSpeak: ['listener'],
    cancelRequest: ['listener'],
    answerRequest: ['host', 'cohost'],
    muteSpeaker: ['host', 'cohost'],
    moveToListener: ['host', 'cohost'],
    leaveStage: ['cohost', 'speaker'],
    remove: ['host', 'cohost'],
    react: ['speaker', 'listener'],
    seeRequests: ['host', 'cohost'],
    endSpace: ['host'],
    manageCaptions: ['host', 'cohost'],
  };

  it('covers every action', () => {
    expect(Object.keys(TABLE).sort()).toEqual([...STAGE_ACTIONS].sort());
  });

  for (const action of STAGE_ACTIONS) {
    for (const [name, actor] of Object.entries(ACTORS)) {
      const allowed = TABLE[action].includes(name);
      it(`${action} by ${name}: ${allowed ? 'allowed' : 'PERMISSION_DENIED'}`, () => {
        if (allowed) expect(() => authorize(actor, action)).not.toThrow();
        else expect(() => authorize(actor, action)).toThrow(expect.objectContaining({ code: 'PERMISSION_DENIED' }));
      });
    }
  }

  it('acts only on people below: co-hosts manage speakers and listeners, only the host manages co-hosts, nobody the host', () => {
    const targets: Role[] = ['host', 'cohost', 'speaker', 'listener'];
    for (const action of ['muteSpeaker', 'moveToListener', 'remove'] as const) {
      expect(targets.filter((t) => isAllowed({ role: 'host', signedIn: true }, action, t))).toEqual(['cohost', 'speaker', 'listener']);
      expect(targets.filter((t) => isAllowed({ role: 'cohost', signedIn: true }, action, t))).toEqual(['speaker', 'listener']);
    }
    expect(() => authorize({ role: 'cohost', signedIn: true }, 'remove', 'cohost')).toThrow('Only the host can do that to a co-host.');
  });

  it('tells a guest to sign in', () => {
    expect(() => authorize({ role: 'listener', signedIn: false }, 'requestToSpeak')).toThrow(/Sign in/);
  });
});

describe('requests to speak', () => {
  it('queue in order, are cancelled or declined, and are accepted onto the stage muted', () => {
    let s = addRequest(addRequest(stage(), request('ana', 1)), request('ben', 2));
    expect(s.requests.map((r) => r.peerId)).toEqual(['ana', 'ben']);
    s = dropRequest(s, peer('ben'));
    expect(requestOf(s, peer('ben'))).toBeNull();
    s = acceptRequest(s, peer('ana'));
    expect(s.requests).toEqual([]);
    expect(seatOf(s, peer('ana'))).toMatchObject({ role: 'speaker', selfMuted: true, moderatorMuted: false, producerId: null, handle: 'ana' });
    expect(roleOf(s, peer('ana'))).toBe('speaker');
    expect(roleOf(s, peer('zed'))).toBe('listener');
  });

  it('refuses a second request, a request from the stage, and answers to nothing', () => {
    const s = addRequest(stage(), request('ana'));
    expect(() => addRequest(s, request('ana'))).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    expect(() => addRequest(s, request('host'))).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    expect(() => dropRequest(s, peer('zed'))).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => acceptRequest(s, peer('zed'))).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it(`holds at most ${MAX_PENDING_REQUESTS} requests`, () => {
    let s = stage();
    for (let i = 0; i < MAX_PENDING_REQUESTS; i++) s = addRequest(s, request(`l${i}`));
    expect(() => addRequest(s, request('late'))).toThrow(expect.objectContaining({ code: 'LIMIT_EXCEEDED' }));
    expect(addRequest(dropRequest(s, peer('l0')), request('late')).requests).toHaveLength(MAX_PENDING_REQUESTS);
  });
});

describe('limits', () => {
  it(`seats at most ${MAX_SPEAKERS} speakers; the request stays queued when the stage is full`, () => {
    let s = withSpeakers(MAX_SPEAKERS);
    s = addRequest(s, request('late'));
    expect(() => acceptRequest(s, peer('late'))).toThrow(expect.objectContaining({ code: 'LIMIT_EXCEEDED' }));
    expect(requestOf(s, peer('late'))).not.toBeNull();
    s = acceptRequest(unseat(s, peer('s0')), peer('late'));
    expect(roleOf(s, peer('late'))).toBe('speaker');
  });

  it(`seats at most ${MAX_COHOSTS} co-hosts, apart from the speakers`, () => {
    let s = grantSeat(grantSeat(withSpeakers(MAX_SPEAKERS), person('c1'), 'cohost'), person('c2'), 'cohost');
    expect(() => grantSeat(s, person('c3'), 'cohost')).toThrow(expect.objectContaining({ code: 'LIMIT_EXCEEDED' }));
    s = unseat(s, peer('c1'));
    expect(grantSeat(s, person('c3'), 'cohost').seats.filter((x) => x.role === 'cohost')).toHaveLength(2);
  });

  it('a speaker may become co-host (same seat, same producer), never the other way round by a grant', () => {
    let s = setProducer(withSpeakers(1), peer('s0'), 'p1');
    s = grantSeat(s, person('s0'), 'cohost');
    expect(seatOf(s, peer('s0'))).toMatchObject({ role: 'cohost', producerId: 'p1' });
    expect(grantSeat(s, person('s0'), 'cohost')).toBe(s);
    expect(() => grantSeat(s, person('s0'), 'speaker')).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
  });
});

describe('muting', () => {
  it('speakers mute and unmute themselves', () => {
    let s = withSpeakers(1);
    expect(isMuted(seatOf(s, peer('s0'))!)).toBe(true);
    s = setSelfMuted(s, peer('s0'), false);
    expect(isMuted(seatOf(s, peer('s0'))!)).toBe(false);
  });

  it('cannot unmute past a moderator mute; once lifted they stay muted until they unmute', () => {
    let s = setSelfMuted(withSpeakers(1), peer('s0'), false);
    s = setModeratorMuted(s, peer('s0'), true);
    expect(seatOf(s, peer('s0'))).toMatchObject({ selfMuted: true, moderatorMuted: true });
    expect(() => setSelfMuted(s, peer('s0'), false)).toThrow(expect.objectContaining({ code: 'PERMISSION_DENIED' }));
    s = setModeratorMuted(s, peer('s0'), false);
    expect(isMuted(seatOf(s, peer('s0'))!)).toBe(true);
    expect(isMuted(seatOf(setSelfMuted(s, peer('s0'), false), peer('s0'))!)).toBe(false);
  });

  it('nobody moderator-mutes the host; muting someone off stage is NOT_FOUND', () => {
    expect(() => setModeratorMuted(stage(), peer('host'), true)).toThrow(expect.objectContaining({ code: 'PERMISSION_DENIED' }));
    expect(() => setModeratorMuted(stage(), peer('zed'), true)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => setSelfMuted(stage(), peer('zed'), true)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});

describe('leaving', () => {
  it('a connection that leaves takes its seat and its request with it; the host seat stays', () => {
    let s = addRequest(withSpeakers(1), request('ana'));
    s = forget(forget(forget(s, peer('s0')), peer('ana')), peer('host'));
    expect(s.seats.map((x) => x.role)).toEqual(['host']);
    expect(s.requests).toEqual([]);
    expect(forget(s, peer('zed'))).toBe(s);
    expect(() => unseat(s, peer('host'))).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
  });

  it('the host seat moves to the host’s new connection, without the old producer', () => {
    const s = moveHostSeat(setProducer(stage(), peer('host'), 'p1'), peer('host2'));
    expect(seatOf(s, peer('host2'))).toMatchObject({ role: 'host', producerId: null });
    expect(seatOfProducer(s, 'p1')).toBeNull();
  });
});

describe('reactions', () => {
  it('accepts only the allow-listed emoji', () => {
    expect(isReaction('👏')).toBe(true);
    expect(isReaction('<script>')).toBe(false);
    expect(isReaction('👏👏')).toBe(false);
  });
});
