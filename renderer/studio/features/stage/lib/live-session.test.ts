/** LiveSession.start with fake signalling and media: nothing it opened outlives a failed start. */
import { describe, expect, it } from 'vitest';
import type { MediaSession } from '../../../../lib/media-session.ts';
import type { SignallingClient } from '../../../../lib/signalling-client.ts';
import { LiveSession } from './live-session.ts';

const space = { spaceId: 'space1', title: 'Show', status: 'live', listenerCount: 0, hostConnected: true, hostMuted: false, hostProducerId: null };

function fakes(publish: () => Promise<unknown>) {
  const signalling = {
    closed: false,
    open: true,
    request: async (method: string) => {
      if (method === 'createSpace') return { space, listenerPath: '/s/space1', hostKey: 'host-key', routerRtpCapabilities: {} };
      throw new Error(`unexpected ${method}`);
    },
    on: () => () => undefined,
    onClose: () => () => undefined,
    close: () => void (signalling.closed = true),
  };
  const media = { closed: false, publish, close: () => void (media.closed = true), onConnectionState: () => () => undefined };
  const deps = {
    connect: async () => signalling as unknown as SignallingClient,
    createMedia: async () => media as unknown as MediaSession,
  };
  return { signalling, media, deps };
}

const input = { serverUrl: 'http://127.0.0.1:4400', studioToken: 'studio-token-0123456789', title: 'Show', track: {} as MediaStreamTrack };

describe('LiveSession.start', () => {
  it('closes its media session and connection when publishing fails', async () => {
    const { signalling, media, deps } = fakes(() => Promise.reject(new Error('DTLS failed')));
    await expect(LiveSession.start(input, deps)).rejects.toThrow('DTLS failed');
    expect(media.closed).toBe(true);
    expect(signalling.closed).toBe(true);
  });

  it('keeps them open when it succeeds', async () => {
    const { signalling, media, deps } = fakes(async () => ({ id: 'producer1', pause: () => undefined, resume: () => undefined }));
    const live = await LiveSession.start(input, deps);
    expect(live.snapshot).toMatchObject({ listenerUrl: 'http://127.0.0.1:4400/s/space1', muted: false, ended: null });
    expect(media.closed).toBe(false);
    expect(signalling.closed).toBe(false);
  });
});
