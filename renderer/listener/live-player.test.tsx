// @vitest-environment happy-dom
/**
 * The listener page's live view over a real ListenerSession and AccountStore, with the socket and
 * the account routes faked: the socket signs in with the page's account, a guest asking to speak
 * signs in and the request goes out, the green room once accepted, the host mute, removal, and one
 * <audio> per producer on stage (the host's first).
 */
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState, useSyncExternalStore } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SpaceState, StageMember, YourRole } from '../../server/signalling/protocol.ts';
import type { MediaSession } from '../lib/media-session.ts';
import { fakeSignalling, liveSpace, stageMember } from '../test/fake-signalling.ts';
import { AccountApi } from './account/account-api.ts';
import { AccountStore, SESSION_KEY } from './account/account-store.ts';
import { LivePlayer, type SignInRequest } from './live-player.tsx';
import { stateLine } from './listener-app.tsx';
import { ListenerSession } from './listener-session.ts';

afterEach(() => {
  cleanup();
  localStorage.clear();
});

const member = stageMember;
const state = (others: StageMember[] = []): SpaceState => liveSpace([member('host', 'host', 'p-host', { displayName: 'Hedy Host' }), ...others], { listenerCount: 2 });

/** Which producer each played stream came from. */
const producerOf = new WeakMap<MediaStream, string>();
const played = () => [...document.querySelectorAll('audio')].map((a) => (a.srcObject ? producerOf.get(a.srcObject as MediaStream) : null));

const SESSION = { token: 'token-ada', expiresAt: new Date(Date.now() + 86_400_000).toISOString(), account: { id: 'a1', handle: 'ada', displayName: 'Ada' } };

function setup(options: { signedIn?: boolean; refuse?: Record<string, { code: string; message: string }> } = {}) {
  const signalling = fakeSignalling((method) => {
    const refusal = options.refuse?.[method];
    if (refusal) throw Object.assign(new Error(refusal.message), refusal);
    if (method === 'joinSpace') return { space: state(), routerRtpCapabilities: {}, you: { peerId: 'me', role: 'listener', requestPending: false } };
    return {};
  });
  const requests = signalling.requests;
  const producer = { paused: false, pause: () => void (producer.paused = true), resume: () => void (producer.paused = false), close: () => undefined };
  const media = {
    listen: async (producerId: string) => ({ producerId, track: { id: producerId, stop: () => undefined }, close: () => undefined }),
    publish: async () => producer,
    unpublish: () => undefined,
    onConnectionState: () => () => undefined,
    close: () => undefined,
  };
  const session = new ListenerSession({
    connect: async () => signalling.client,
    createMedia: async () => media as unknown as MediaSession,
    streamOf: (track) => {
      // happy-dom's MediaStream holds no tracks: this one holds the consumer's.
      const stream = Object.assign(new MediaStream(), { getTracks: () => [track], getAudioTracks: () => [track] });
      producerOf.set(stream, track.id);
      return stream;
    },
  });
  if (options.signedIn) localStorage.setItem(SESSION_KEY, JSON.stringify(SESSION));
  // The account routes: sign-in answers Ada's session; /me knows her.
  const fetchImpl = async (input: RequestInfo | URL) => {
    const path = new URL(String(input)).pathname;
    const body = path === '/api/accounts/me' ? SESSION.account : SESSION;
    return new Response(JSON.stringify(body), { status: path === '/api/accounts/me' ? 200 : 201, headers: { 'content-type': 'application/json' } });
  };
  const accounts = new AccountStore(new AccountApi('http://127.0.0.1:4400', fetchImpl), localStorage);

  function Harness() {
    // As the page holds them: the account store's snapshot and the open sign-in form.
    const account = useSyncExternalStore((f) => accounts.subscribe(f), () => accounts.snapshot);
    const [signInFor, setSignInFor] = useState<SignInRequest | null>(null);
    return <LivePlayer session={session} stateLine={stateLine} account={account} accounts={accounts} signInFor={signInFor} onSignInFor={setSignInFor} />;
  }
  const notify = (name: string, data: unknown) => act(() => signalling.notify(name, data));
  return { session, requests, notify, producer, Harness, accounts };
}

async function joined(options: Parameters<typeof setup>[0] = {}) {
  const s = setup(options);
  if (options.signedIn) await s.accounts.restore();
  render(<s.Harness />);
  await act(() => s.session.join('http://127.0.0.1:4400', 'space1', { sessionToken: s.accounts.snapshot.token }));
  return s;
}

const methods = (requests: Array<[string, unknown]>) => requests.map(([m]) => m);
const you = (patch: Partial<YourRole>): YourRole => ({ peerId: 'me', role: 'listener', requestPending: false, ...patch });

describe('LivePlayer', () => {
  it('plays every producer on stage, the host’s first, and shows who is on stage', async () => {
    const { notify } = await joined();
    await notify('spaceState', state([member('sam', 'speaker', 'p-sam')]));
    await vi.waitFor(() => expect(document.querySelectorAll('audio')).toHaveLength(2));
    expect(played()).toEqual(['p-host', 'p-sam']);
    expect(screen.getByRole('status').textContent).toBe('Live. You are listening.');
    expect(screen.getByRole('region', { name: 'On stage' }).textContent).toContain('Hedy Host');
    await notify('speaking', { producerIds: ['p-sam'] });
    expect(document.querySelector('[data-peer="sam"]')?.getAttribute('data-speaking')).toBe('true');
  });

  it('a guest who asks to speak signs in on the page, then the socket signs in and the request goes out', async () => {
    const { requests, notify } = await joined();
    fireEvent.click(screen.getByRole('button', { name: /Ask to speak/ }));
    expect(screen.getByText('Sign in to ask to speak. Listening needs no account.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Handle'), { target: { value: 'ada' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'ada-password-1' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Sign in' })));
    await vi.waitFor(() => expect(methods(requests)).toContain('requestToSpeak'));
    expect(requests.find(([m]) => m === 'signIn')).toEqual(['signIn', { sessionToken: 'token-ada' }]);
    expect(methods(requests).indexOf('signIn')).toBeLessThan(methods(requests).indexOf('requestToSpeak'));
    await notify('yourRole', you({ requestPending: true }));
    expect(screen.getByText('You asked to speak. The host will answer soon.')).toBeTruthy();
    // The form gone, the focus is on the stage, not lost at the page's start.
    expect(document.activeElement).toBe(screen.getByLabelText('The stage'));
  });

  it('a signed-in listener’s socket signs in before it joins, and reacting needs no form', async () => {
    const { requests } = await joined({ signedIn: true });
    expect(methods(requests).slice(0, 2)).toEqual(['signIn', 'joinSpace']);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Applause' })));
    expect(requests.at(-1)).toEqual(['react', { emoji: '👏' }]);
    expect(screen.getByText('You sent Applause.')).toBeTruthy();
  });

  it('once accepted, shows the green room; after joining, the mic state and "The host muted you"', async () => {
    const { session, notify, requests } = await joined({ signedIn: true });
    await notify('yourRole', you({ role: 'speaker' }));
    expect(screen.getByRole('heading', { name: 'Green room' })).toBeTruthy();
    // The green room hands a track over (its own microphone check is tested in green-room.test.tsx).
    await act(() => session.joinStage({ id: 'mic' } as MediaStreamTrack));
    await notify('spaceState', state([member('me', 'speaker', 'p-me', { muted: true })]));
    expect(screen.getByText(/You are on stage \(speaker\), muted\./)).toBeTruthy();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Unmute' })));
    expect(requests.at(-1)).toEqual(['setMuted', { muted: false }]);
    await notify('spaceState', state([member('me', 'speaker', 'p-me', { muted: true, mutedByHost: true })]));
    expect(screen.getByText('The host muted you.')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Unmute' }) as HTMLButtonElement).disabled).toBe(true);
    // Its own producer is never played back to it.
    expect(played()).toEqual(['p-host']);
  });

  it('says the host moved them back to the audience, but not when they left themselves', async () => {
    const { notify } = await joined({ signedIn: true });
    await notify('yourRole', you({ role: 'speaker' }));
    await notify('yourRole', you({ role: 'listener' }));
    expect(screen.getByText('The host moved you back to the audience.')).toBeTruthy();
    await notify('yourRole', you({ role: 'speaker' }));
    expect(screen.queryByText('The host moved you back to the audience.')).toBeNull();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Not now' })));
    await notify('yourRole', you({ role: 'listener' }));
    expect(screen.queryByText('The host moved you back to the audience.')).toBeNull();
  });

  it('says when the host did not take the request, but not when the listener cancelled it', async () => {
    const { notify } = await joined({ signedIn: true });
    await notify('yourRole', you({ requestPending: true }));
    await notify('yourRole', you({ requestPending: false }));
    expect(screen.getByText('The host did not take your request this time.')).toBeTruthy();
    await notify('yourRole', you({ requestPending: true }));
    expect(screen.queryByText('The host did not take your request this time.')).toBeNull();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Cancel request' })));
    await notify('yourRole', you({ requestPending: false }));
    expect(screen.queryByText('The host did not take your request this time.')).toBeNull();
    expect(screen.getByRole('button', { name: /Ask to speak/ })).toBeTruthy();
  });

  it('says a refused unmute in a sentence', async () => {
    const { session, notify } = await joined({ signedIn: true, refuse: { setMuted: { code: 'PERMISSION_DENIED', message: 'The host muted you; you cannot unmute yourself.' } } });
    await notify('yourRole', you({ role: 'speaker' }));
    await act(() => session.joinStage({ id: 'mic' } as MediaStreamTrack));
    await notify('spaceState', state([member('me', 'speaker', 'p-me', { muted: true })]));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Unmute' })));
    expect(screen.getByRole('alert').textContent).toBe('The host muted you; you cannot unmute yourself.');
  });

  it('says the host removed them, and shows no stage after', async () => {
    const { notify } = await joined({ signedIn: true });
    await notify('spaceEnded', { spaceId: 'space1', reason: 'removed' });
    expect(screen.getByRole('status').textContent).toBe('The host removed you from this Space.');
    expect(screen.queryByRole('button', { name: /Ask to speak/ })).toBeNull();
  });
});
