// @vitest-environment happy-dom
/**
 * The studio's on-air screen over a real LiveSession whose socket and media are fakes: requests
 * arrive and are answered, the stage shows who speaks, a speaker is muted, moved and removed
 * (after a question), reactions arrive, the listener count follows, and everyone else on stage
 * is heard in the studio.
 */
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { SpaceState, StageMember } from '../../../../../server/signalling/protocol.ts';
import type { MediaSession } from '../../../../lib/media-session.ts';
import { fakeSignalling, liveSpace, stageMember } from '../../../../test/fake-signalling.ts';
import { LiveSession } from '../lib/live-session.ts';
import { OnAir } from './stage-panel.tsx';

afterEach(cleanup);

const member = (peerId: string, role: StageMember['role'], producerId: string | null, extra: Partial<StageMember> = {}): StageMember =>
  stageMember(peerId, role, producerId, { accountId: `acc-${peerId}`, displayName: peerId === 'me' ? 'Hedy' : peerId === 'ada' ? 'Ada Lovelace' : peerId, ...extra });

const space = (stage: StageMember[] = [], listenerCount = 3): SpaceState => liveSpace([member('me', 'host', 'p-me'), ...stage], { listenerCount });

async function onAir(as: 'host' | 'cohost' = 'host', hostTools?: (spaceId: string) => React.ReactNode) {
  const signalling = fakeSignalling((method, data) => {
    if (method === 'createSpace') return { space: space(), listenerPath: '/s/space1', hostKey: 'key', routerRtpCapabilities: {} };
    if (method === 'joinSpace') return { space: space([member('co', 'cohost', null)]), routerRtpCapabilities: {}, you: { peerId: 'co', role: 'cohost', requestPending: false } };
    if (method === 'moveToListener' && (data as { peerId: string }).peerId === 'cy') throw Object.assign(new Error('x'), { code: 'NOT_FOUND', message: 'That person is no longer in this Space.' });
    return {};
  });
  const requests = signalling.requests;
  const producer = { pause: () => undefined, resume: () => undefined, close: () => undefined };
  const media = {
    publish: async () => producer,
    listen: async (producerId: string) => ({ producerId, track: { id: producerId, stop: () => undefined }, close: () => undefined }),
    unpublish: () => undefined,
    onConnectionState: () => () => undefined,
    close: () => undefined,
  };
  const deps = {
    connect: async () => signalling.client,
    createMedia: async () => media as unknown as MediaSession,
    streamOf: () => Object.assign(new MediaStream(), { getTracks: () => [] }),
  };
  const track = {} as MediaStreamTrack;
  const session =
    as === 'host'
      ? await LiveSession.start({ serverUrl: 'http://127.0.0.1:4400', sessionToken: 'token', title: 'Show', track }, deps)
      : await LiveSession.join({ serverUrl: 'http://127.0.0.1:4400', sessionToken: 'token', spaceId: 'space1', track }, deps);
  render(<OnAir session={session} onClosed={() => undefined} {...(hostTools ? { hostTools } : {})} />);
  const notify = (name: string, data: unknown) => act(async () => signalling.notify(name, data));
  return { requests, notify };
}

const rowOf = (name: string) => screen.getAllByRole('listitem').find((li) => li.textContent?.includes(name))!;

describe('the studio on air, with the stage', () => {
  it('answers requests to speak as they arrive', async () => {
    const { requests, notify } = await onAir();
    expect(screen.getByText('Nobody is asking to speak.')).toBeTruthy();
    await notify('stageRequests', { requests: [{ peerId: 'ada', accountId: 'acc-ada', handle: 'ada', displayName: 'Ada Lovelace', at: Date.now() }] });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Accept Ada Lovelace' })));
    expect(requests.at(-1)).toEqual(['answerRequest', { peerId: 'ada', accept: true }]);
  });

  it('shows the stage with who is speaking, and mutes, moves and removes a speaker', async () => {
    const { requests, notify } = await onAir();
    await notify('spaceState', space([member('ada', 'speaker', 'p-ada'), member('cy', 'speaker', null, { muted: true })], 5));
    await notify('speaking', { producerIds: ['p-ada'] });
    expect(screen.getByText('5 listeners')).toBeTruthy();
    expect(rowOf('Ada Lovelace').getAttribute('data-speaking')).toBe('true');
    expect(within(rowOf('Hedy')).queryAllByRole('button')).toHaveLength(0);

    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Mute Ada Lovelace' })));
    expect(requests.at(-1)).toEqual(['muteSpeaker', { peerId: 'ada', muted: true }]);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Move Ada Lovelace to listeners' })));
    expect(requests.at(-1)).toEqual(['moveToListener', { peerId: 'ada' }]);
    fireEvent.click(screen.getByRole('button', { name: 'Remove Ada Lovelace' }));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Yes, remove' })));
    expect(requests.at(-1)).toEqual(['removeFromSpace', { peerId: 'ada' }]);

    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Move cy to listeners' })));
    expect(within(rowOf('cy')).getByRole('alert').textContent).toBe('That person is no longer in this Space.');
  });

  it('shows reactions as they arrive, with totals', async () => {
    const { notify } = await onAir();
    await notify('reactions', { counts: [{ emoji: '👏', count: 3 }] });
    await notify('reactions', { counts: [{ emoji: '👏', count: 2 }, { emoji: '🔥', count: 1 }] });
    expect(screen.getByRole('list', { name: 'Reactions so far' }).textContent).toBe('👏 5🔥 1');
  });

  it('plays everyone else on stage in the studio, never its own mix', async () => {
    const { notify } = await onAir();
    await notify('spaceState', space([member('ada', 'speaker', 'p-ada')]));
    await expect.poll(() => document.querySelectorAll('audio.monitor').length).toBe(1);
  });

  it('gives a co-host "Leave the stage" instead of ending the Space, moderation of speakers only, and says who ended it', async () => {
    const { requests, notify } = await onAir('cohost');
    expect(screen.queryByRole('button', { name: 'End Space' })).toBeNull();
    await notify('spaceState', space([member('co', 'cohost', 'p-co'), member('ada', 'speaker', 'p-ada')]));
    expect(within(rowOf('Hedy')).queryAllByRole('button')).toHaveLength(0);
    expect(within(rowOf('Ada Lovelace')).getAllByRole('button')).toHaveLength(3);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Leave the stage' })));
    expect(requests.at(-1)).toEqual(['leaveStage', {}]);
    await notify('yourRole', { peerId: 'co', role: 'listener', requestPending: false });
    expect(screen.getByText('You are off the stage: your mix is not going out, and you listen.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Mute Ada Lovelace' })).toBeNull();
    await notify('spaceEnded', { spaceId: 'space1', reason: 'host-ended' });
    expect(screen.getByRole('status').textContent).toBe('The host ended the Space.');
  });

  it('shows the host tools the app adds (inviting a co-host) to the host only', async () => {
    await onAir('host', (spaceId) => <button type="button">Invite to {spaceId}</button>);
    expect(screen.getByRole('button', { name: 'Invite to space1' })).toBeTruthy();
    cleanup();
    await onAir('cohost', (spaceId) => <button type="button">Invite to {spaceId}</button>);
    expect(screen.queryByRole('button', { name: 'Invite to space1' })).toBeNull();
  });
});
