// @vitest-environment happy-dom
/**
 * The listener page while its connection is lost: the status line (a live
 * region) says it is reconnecting, the host's stream plays on through the same
 * <audio> element once back, and after giving up a "Try again" button starts
 * over. A real ListenerSession over a fake server whose sockets can drop.
 */
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useSyncExternalStore } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SpaceState } from '../../server/signalling/protocol.ts';
import type { MediaSession } from '../lib/media-session.ts';
import type { SignallingClient } from '../lib/signalling-client.ts';
import { AccountApi } from './account/account-api.ts';
import { AccountStore } from './account/account-store.ts';
import { stateLine } from './listener-app.tsx';
import { ListenerSession } from './listener-session.ts';
import { LivePlayer } from './live-player.tsx';

afterEach(() => cleanup());

const space: SpaceState = {
  spaceId: 'space1',
  title: 'Show',
  status: 'live',
  listenerCount: 2,
  hostConnected: true,
  hostMuted: false,
  hostProducerId: 'p-host',
  stage: [{ peerId: 'host', accountId: null, handle: null, displayName: 'Hedy Host', role: 'host', producerId: 'p-host', muted: false, mutedByHost: false }],
};

function setup() {
  const server = { up: true, drops: [] as Array<() => void> };
  const connect = async () => {
    if (!server.up) throw Object.assign(new Error('down'), { code: 'UNAVAILABLE' });
    const closeListeners = new Set<() => void>();
    let open = true;
    const drop = () => {
      if (!open) return;
      open = false;
      for (const listener of closeListeners) listener();
    };
    server.drops.push(drop);
    return {
      get open() {
        return open;
      },
      on: () => () => undefined,
      onClose: (listener: () => void) => {
        closeListeners.add(listener);
        return () => closeListeners.delete(listener);
      },
      request: async (method: string) => {
        if (method === 'joinSpace') return { space, routerRtpCapabilities: {}, you: { peerId: `me${server.drops.length}`, role: 'listener', requestPending: false } };
        return {};
      },
      close: () => setTimeout(drop, 0),
    } as unknown as SignallingClient;
  };
  // Each media's receiving transport connects with its first consumer.
  const newMedia = () => {
    let ice: ((direction: 'recv', state: string) => void) | null = null;
    return {
      listen: async (producerId: string) => {
        setTimeout(() => ice?.('recv', 'connected'), 0);
        return { producerId, track: { id: producerId, stop: () => undefined }, close: () => undefined };
      },
      publish: async () => ({}),
      unpublish: () => undefined,
      onConnectionState: (listener: (direction: 'recv', state: string) => void) => {
        ice = listener;
        return () => undefined;
      },
      close: () => undefined,
    };
  };
  const session = new ListenerSession({
    connect,
    createMedia: async () => newMedia() as unknown as MediaSession,
    // happy-dom's MediaStream holds no tracks: this one holds the consumer's.
    streamOf: (track) => Object.assign(new MediaStream(), { getTracks: () => [track], getAudioTracks: () => [track] }),
    retryDelayMs: (attempt) => (attempt === 1 ? 0 : 5),
    reconnectWindowMs: 40,
    heartbeatMs: 0,
    onNetworkBack: () => () => undefined,
  });
  const accounts = new AccountStore(new AccountApi('http://127.0.0.1:4400', async () => new Response('{}', { status: 401 })), localStorage);
  function Harness() {
    const account = useSyncExternalStore((f) => accounts.subscribe(f), () => accounts.snapshot);
    return <LivePlayer session={session} stateLine={stateLine} account={account} accounts={accounts} signInFor={null} onSignInFor={() => undefined} />;
  }
  return { server, session, Harness };
}

const status = () => screen.getByRole('status');

describe('LivePlayer reconnecting', () => {
  it('says it is reconnecting, plays on through the same <audio> element, and offers to try again after giving up', async () => {
    const { server, session, Harness } = setup();
    render(<Harness />);
    await act(() => session.join('http://127.0.0.1:4400', 'space1'));
    expect(status().textContent).toBe('Live. You are listening.');
    const element = document.querySelector('audio')!;
    const before = element.srcObject;
    expect(before).toBeInstanceOf(MediaStream);

    // The socket drops: the live region says so at once.
    act(() => server.drops[0]!());
    expect(status().textContent).toBe('The connection was lost. Reconnecting…');
    expect(status().getAttribute('data-phase')).toBe('reconnecting');
    await vi.waitFor(() => expect(status().textContent).toBe('Live. You are listening.'));
    // The same element plays the new stream: no new tap needed.
    expect(document.querySelector('audio')).toBe(element);
    expect(element.srcObject).not.toBe(before);
    expect(element.srcObject).toBeInstanceOf(MediaStream);

    // The server stays away past the window: it says it gave up, and "Try again" brings it back.
    server.up = false;
    act(() => server.drops.at(-1)!());
    await vi.waitFor(() => expect(status().textContent).toBe('Could not reconnect. Check your connection and try again.'));
    server.up = true;
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Try again' })));
    await vi.waitFor(() => expect(status().textContent).toBe('Live. You are listening.'));
    expect(screen.queryByRole('button', { name: 'Try again' })).toBeNull();
  });
});
