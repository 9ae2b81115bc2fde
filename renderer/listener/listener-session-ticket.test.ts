/** ListenerSession on a ticketed Space: the ticket taken over by another connection stops this one for good. */
import { describe, expect, it } from 'vitest';
import type { MediaSession } from '../lib/media-session.ts';
import { fakeSignalling, liveSpace, stageMember } from '../test/fake-signalling.ts';
import { stateLine } from './listener-app.tsx';
import { ListenerSession } from './listener-session.ts';

describe('ListenerSession with a ticket', () => {
  it('stops, says why, and does not reconnect when its ticket is used elsewhere', async () => {
    const { client, notify, requests } = fakeSignalling((method) =>
      method === 'joinSpace' ? { space: liveSpace([stageMember('host', 'host', 'p1')]), routerRtpCapabilities: {}, you: { peerId: 'me', role: 'listener', requestPending: false } } : {},
    );
    const media = {
      closed: false,
      listen: async (producerId: string) => ({ producerId, track: { id: producerId, stop: () => undefined }, close: () => undefined }),
      onConnectionState: () => () => undefined,
      close: () => void (media.closed = true),
    };
    let connects = 0;
    const session = new ListenerSession({
      connect: async () => {
        connects++;
        return client;
      },
      createMedia: async () => media as unknown as MediaSession,
      streamOf: (track) => ({ track, getTracks: () => [track] }) as unknown as MediaStream,
    });
    await session.join('http://127.0.0.1:4400', 'space1');
    expect(session.snapshot.phase).toBe('listening');

    notify('ticketInUse', { spaceId: 'space1' });
    expect(session.snapshot).toMatchObject({ phase: 'ended', ticket: 'elsewhere', stream: null });
    expect(media.closed).toBe(true);
    expect(stateLine(session.snapshot)).toMatch(/ticket is now being used on another device/);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(connects).toBe(1);
    expect(requests.filter(([method]) => method === 'joinSpace')).toHaveLength(1);
  });
});
