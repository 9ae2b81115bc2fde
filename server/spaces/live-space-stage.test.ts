/** The stage of a live Space: LiveSpace over FakeSpaceMedia and in-memory records, milliseconds per test. */
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PeerId, SpaceId } from '../domain/space.ts';
import { MAX_SPEAKERS } from '../domain/stage.ts';
import { FakeSpaceMedia } from './fake-space-media.ts';
import { FakeSpacePeer } from './fake-space-peer.ts';
import { LiveSpace } from './live-space.ts';
import { MemoryStageRecords } from './space-records.ts';
import { StageLimits } from './stage-limits.ts';

const INTERVAL = 300;
const SPACE = 'space-1' as SpaceId;
let media: FakeSpaceMedia;
let records: MemoryStageRecords;
let host: FakeSpacePeer;
let space: LiveSpace;

beforeEach(() => {
  vi.useFakeTimers();
  media = new FakeSpaceMedia();
  records = new MemoryStageRecords();
  host = new FakeSpacePeer('host', 'hostess');
  space = new LiveSpace({
    id: SPACE,
    title: 'Morning show',
    host,
    media,
    logger: pino({ level: 'silent' }),
    options: { stateIntervalMs: INTERVAL, hostGraceMs: 0, stageRecords: records, stageLimits: new StageLimits({ reactionsPer10s: 5, requestsPerMinute: 3 }) },
  });
});
afterEach(() => vi.useRealTimers());

async function listener(name: string, signedIn = true): Promise<FakeSpacePeer> {
  const peer = new FakeSpacePeer(name, signedIn ? name : null);
  await space.join(peer);
  return peer;
}

/** A listener accepted onto the stage, publishing (paused, as they join muted). */
async function speaker(name: string): Promise<{ peer: FakeSpacePeer; producerId: string }> {
  const peer = await listener(name);
  await space.requestToSpeak(peer.id);
  await space.answerRequest(host.id, peer.id, true);
  const transport = await space.createTransport(peer.id, 'send');
  const producerId = await space.produce(peer.id, transport.id, { codecs: [] } as never);
  return { peer, producerId };
}

describe('asking to speak', () => {
  it('queues the request for the host (not for listeners), and seats an accepted speaker muted, with the role stored', async () => {
    const ana = await listener('ana');
    const ben = await listener('ben');
    await space.requestToSpeak(ana.id);
    expect(ana.last('yourRole')).toEqual({ peerId: 'ana', role: 'listener', requestPending: true });
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(host.last('stageRequests')).toMatchObject({ requests: [{ peerId: 'ana', accountId: 'acc-ana', handle: 'ana', displayName: 'ANA' }] });
    expect(ben.notifications('stageRequests')).toEqual([]);

    await space.answerRequest(host.id, ana.id, true);
    expect(ana.last('yourRole')).toEqual({ peerId: 'ana', role: 'speaker', requestPending: false });
    expect(space.state().stage).toEqual([
      expect.objectContaining({ peerId: 'host', role: 'host', accountId: 'acc-hostess', muted: false }),
      { peerId: 'ana', accountId: 'acc-ana', handle: 'ana', displayName: 'ANA', role: 'speaker', producerId: null, muted: true, mutedByHost: false },
    ]);
    expect(await records.roles(SPACE)).toEqual([{ accountId: 'acc-ana', role: 'speaker' }]);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(host.last('stageRequests')).toEqual({ requests: [] });
    expect(ben.last('spaceState')).toMatchObject({ stage: [{ role: 'host' }, { peerId: 'ana', role: 'speaker' }] });
  });

  it('lets the asker cancel and the host decline; answering nobody is NOT_FOUND', async () => {
    const ana = await listener('ana');
    await space.requestToSpeak(ana.id);
    await space.cancelRequest(ana.id);
    await expect(space.cancelRequest(ana.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await space.requestToSpeak(ana.id);
    await space.answerRequest(host.id, ana.id, false);
    expect(ana.last('yourRole')).toEqual({ peerId: 'ana', role: 'listener', requestPending: false });
    await expect(space.answerRequest(host.id, ana.id, true)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(space.stage.seats).toHaveLength(1);
  });

  it('limits asking per account (RATE_LIMITED), whatever the connection', async () => {
    const ana = await listener('ana');
    for (let i = 0; i < 3; i++) {
      await space.requestToSpeak(ana.id);
      await space.cancelRequest(ana.id);
    }
    await expect(space.requestToSpeak(ana.id)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });

  it(`seats at most ${MAX_SPEAKERS} speakers`, async () => {
    for (let i = 0; i < MAX_SPEAKERS; i++) await speaker(`s${i}`);
    const late = await listener('late');
    await space.requestToSpeak(late.id);
    await expect(space.answerRequest(host.id, late.id, true)).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
  });
});

describe('publishing and muting', () => {
  it('a speaker publishes paused (joined muted), unmutes themselves, and listeners see the producer', async () => {
    const { peer, producerId } = await speaker('ana');
    expect(media.producers.get(producerId)).toEqual({ peerId: 'ana', paused: true });
    await space.setMuted(peer.id, false);
    expect(media.producers.get(producerId)!.paused).toBe(false);
    expect(space.state().stage[1]).toMatchObject({ producerId, muted: false });
    await expect(space.produce(peer.id, 't-any', { codecs: [] } as never)).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });

  it('a host mute pauses the producer on the server; the speaker cannot unmute past it, until the host lifts it', async () => {
    const { peer, producerId } = await speaker('ana');
    await space.setMuted(peer.id, false);
    await space.muteSpeaker(host.id, peer.id, true);
    expect(media.producers.get(producerId)!.paused).toBe(true);
    expect(space.state().stage[1]).toMatchObject({ muted: true, mutedByHost: true });
    await expect(space.setMuted(peer.id, false)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(media.producers.get(producerId)!.paused).toBe(true);
    await space.muteSpeaker(host.id, peer.id, false);
    expect(media.producers.get(producerId)!.paused).toBe(true);
    await space.setMuted(peer.id, false);
    expect(media.producers.get(producerId)!.paused).toBe(false);
  });

  it('the lock survives the speaker reconnecting', async () => {
    const { peer } = await speaker('ana');
    await space.muteSpeaker(host.id, peer.id, true);
    await space.leave(peer.id);
    const again = new FakeSpacePeer('ana2', 'ana');
    await space.join(again);
    expect(again.last('yourRole')).toMatchObject({ role: 'speaker' });
    expect(space.state().stage[1]).toMatchObject({ peerId: 'ana2', mutedByHost: true });
    await expect(space.setMuted(again.id, false)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
  });

  it('listeners cannot open a sending transport or publish', async () => {
    const ana = await listener('ana');
    await expect(space.createTransport(ana.id, 'send')).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await expect(space.setMuted(ana.id, false)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
  });
});

describe('leaving the stage', () => {
  it('moved back to listener: the producer and the sending transport close, the stored role is cleared', async () => {
    const { peer, producerId } = await speaker('ana');
    await space.moveToListener(host.id, peer.id);
    expect(media.producers.has(producerId)).toBe(false);
    expect([...media.transports.values()].filter((t) => t.peerId === peer.id && t.direction === 'send')).toEqual([]);
    expect(peer.last('yourRole')).toMatchObject({ role: 'listener' });
    expect(await records.roles(SPACE)).toEqual([]);
    await expect(space.createTransport(peer.id, 'send')).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
  });

  it('a speaker leaves the stage by themselves', async () => {
    const { peer, producerId } = await speaker('ana');
    await space.leaveStage(peer.id);
    expect(media.producers.has(producerId)).toBe(false);
    expect(space.roleOf(peer.id)).toBe('listener');
  });

  it('a connection that vanishes leaves no seat, no request and no producer; its stored role brings it back on stage', async () => {
    const { peer, producerId } = await speaker('ana');
    const ben = await listener('ben');
    await space.requestToSpeak(ben.id);
    await space.leave(peer.id);
    await space.leave(ben.id);
    expect(media.producers.size).toBe(0);
    expect(producerId).toBeTruthy();
    expect(space.stage).toEqual({ seats: [expect.objectContaining({ role: 'host' })], requests: [] });
    expect(space.space.listenerCount).toBe(0);
    const back = new FakeSpacePeer('ana-again', 'ana');
    await space.join(back);
    expect(space.roleOf(back.id)).toBe('speaker');
  });

  it('an account back on a new connection before its old one is dropped takes the seat: one account never holds two', async () => {
    const { peer: old, producerId } = await speaker('ana');
    // The old connection went silent; the server has not noticed yet.
    const back = new FakeSpacePeer('ana-again', 'ana');
    await space.join(back);
    expect(space.roleOf(back.id)).toBe('speaker');
    expect(space.roleOf(old.id)).toBe('listener');
    expect(space.stage.seats.filter((seat) => seat.accountId === 'acc-ana')).toHaveLength(1);
    expect(media.producers.has(producerId)).toBe(false);
    // When the heartbeat finally drops the old connection, the new one keeps its seat.
    await space.leave(old.id);
    expect(space.roleOf(back.id)).toBe('speaker');
  });
});

describe('removing', () => {
  it('tells the removed person, detaches them, closes their media and bans the account from coming back', async () => {
    const { peer, producerId } = await speaker('ana');
    await space.remove(host.id, peer.id);
    expect(peer.last('spaceEnded')).toEqual({ spaceId: SPACE, reason: 'removed' });
    expect(peer.detached).toBe(true);
    expect(media.producers.has(producerId)).toBe(false);
    expect(await records.isBanned(SPACE, 'acc-ana')).toBe(true);
    expect(space.roleOf(peer.id)).toBeNull();
    await expect(space.join(new FakeSpacePeer('ana-new', 'ana'))).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    // A guest has no account to ban; the same connection still cannot come back.
    const guest = await listener('guest', false);
    await space.remove(host.id, guest.id);
    await expect(space.join(guest)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await expect(space.join(new FakeSpacePeer('other-guest'))).resolves.toMatchObject({ status: 'live' });
  });

  it('a removed account that comes back as a guest and signs in on that connection may not ask to speak or react', async () => {
    const ana = await listener('ana');
    await space.remove(host.id, ana.id);
    const sneaky = await listener('sneaky', false);
    sneaky.account = { id: 'acc-ana', handle: 'ana', displayName: 'ANA' };
    await expect(space.requestToSpeak(sneaky.id)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await expect(space.react(sneaky.id, '👏')).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(space.stage.requests).toEqual([]);
  });

  it('a ban kept from before (the records) is enforced on asking to speak too', async () => {
    await records.ban(SPACE, 'acc-old');
    const guest = await listener('old', false);
    guest.account = { id: 'acc-old', handle: 'old', displayName: 'OLD' };
    await expect(space.requestToSpeak(guest.id)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
  });

  it('only the host removes a co-host; a co-host removes speakers and listeners', async () => {
    const cohost = await listener('cora');
    await space.grantRole('acc-cora', 'cohost');
    const ana = await listener('ana');
    const other = await listener('otto');
    await space.grantRole('acc-otto', 'cohost');
    await expect(space.remove(cohost.id, other.id)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await expect(space.remove(cohost.id, host.id)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await space.remove(cohost.id, ana.id);
    await space.remove(host.id, other.id);
    expect(space.roleOf(other.id)).toBeNull();
  });
});

describe('co-hosts', () => {
  it('take their seat from a stored role on joining, or at once when granted while connected', async () => {
    await records.saveRole(SPACE, 'acc-cora', 'cohost');
    const cora = await listener('cora');
    expect(space.roleOf(cora.id)).toBe('cohost');
    const otto = await listener('otto');
    await space.grantRole('acc-otto', 'cohost');
    expect(otto.last('yourRole')).toMatchObject({ role: 'cohost' });
    const ana = await listener('ana');
    await space.requestToSpeak(ana.id);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(cora.last('stageRequests')).toMatchObject({ requests: [{ peerId: 'ana' }] });
    await space.answerRequest(cora.id, ana.id, true);
    expect(space.roleOf(ana.id)).toBe('speaker');
    await expect(space.end(cora.id, 'host-ended')).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
  });

  it('a full stage leaves a third co-host listening', async () => {
    for (const name of ['c1', 'c2', 'c3']) {
      await records.saveRole(SPACE, `acc-${name}`, 'cohost');
      await listener(name);
    }
    expect(space.stage.seats.map((s) => s.role)).toEqual(['host', 'cohost', 'cohost']);
    expect(space.roleOf('c3' as PeerId)).toBe('listener');
  });
});

describe('who is speaking, and reactions', () => {
  it('tells everyone which producers on stage are loud, only when it changes', async () => {
    const { producerId } = await speaker('ana');
    const ben = await listener('ben');
    media.speak([producerId, 'not-on-stage']);
    media.speak([producerId]);
    media.speak([]);
    expect(ben.notifications('speaking')).toEqual([{ producerIds: [producerId] }, { producerIds: [] }]);
  });

  it('tallies reactions for the host and co-hosts, at most one frame a second; guests and hosts may not react; bad emoji refused', async () => {
    const ana = await listener('ana');
    const ben = await listener('ben');
    await space.react(ana.id, '👏');
    await space.react(ana.id, '👏');
    await space.react(ben.id, '🔥');
    await expect(space.react(ana.id, '💩')).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(space.react(host.id, '👏')).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    const guest = await listener('guest', false);
    await expect(space.react(guest.id, '👏')).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(host.notifications('reactions')).toEqual([]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(host.notifications('reactions')).toEqual([{ counts: [{ emoji: '👏', count: 2 }, { emoji: '🔥', count: 1 }] }]);
    expect(ana.notifications('reactions')).toEqual([]);
    for (let i = 0; i < 3; i++) await space.react(ana.id, '❤️');
    await expect(space.react(ana.id, '❤️')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });
});
