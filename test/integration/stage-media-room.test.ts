/** MediaRoom's stage rules on a real mediasoup worker: one microphone per connection, and leaving the stage closes only the sending side. */
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PeerId } from '../../server/domain/space.ts';
import { MediaRoom } from '../../server/media/media-room.ts';
import { WorkerPool } from '../../server/media/worker-pool.ts';
import { opusRtpParameters } from '../support/raw-peer.ts';

const logger = pino({ level: 'silent' });
let pool: WorkerPool;
let room: MediaRoom;
const ana = 'ana' as PeerId;

beforeEach(async () => {
  pool = await WorkerPool.create({ size: 1, listenIp: '127.0.0.1', announcedAddress: undefined, port: 0, logger });
  room = await MediaRoom.create(pool, logger);
});
afterEach(() => {
  room.close();
  pool.close();
});

describe('MediaRoom on stage', () => {
  it('lets a connection publish one microphone: a second producer is LIMIT_EXCEEDED', async () => {
    const send = await room.createTransport(ana, 'send');
    await room.produce(ana, send.id, opusRtpParameters(), { paused: true });
    await expect(room.produce(ana, send.id, opusRtpParameters(), { paused: false })).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
  });

  it('closes the sending transport and its producer when the speaker leaves the stage, and keeps the receiving one', async () => {
    const closed: string[] = [];
    room.on('producerClosed', (id) => closed.push(id));
    const send = await room.createTransport(ana, 'send');
    const recv = await room.createTransport(ana, 'recv');
    const producerId = await room.produce(ana, send.id, opusRtpParameters(), { paused: false });
    room.closeSending(ana);
    expect(closed).toEqual([producerId]);
    // The receiving transport still answers; the sending one is gone, and a new one may be opened.
    await expect(room.connectTransport(ana, send.id, { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AB:CD' }] })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(room.createTransport(ana, 'recv')).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
    expect(recv.id).toBeTruthy();
    const again = await room.createTransport(ana, 'send');
    await expect(room.produce(ana, again.id, opusRtpParameters(), { paused: true })).resolves.toEqual(expect.any(String));
  });
});
