// @vitest-environment happy-dom
/** The listener page's stage: who is on it and who speaks, asking to speak, the own microphone, reactions. */
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ReactionsBar, SLOW_DOWN } from './reactions-bar.tsx';
import { SpeakControls, type MyPart, type SpeakActions } from './speak-controls.tsx';
import { stagePerson } from '../../test/fake-signalling.ts';
import { StagePeople, initials } from './stage-people.tsx';

afterEach(cleanup);

const person = stagePerson;

describe('StagePeople', () => {
  it('lists the host first, then co-hosts and speakers, and marks who is speaking, who is muted, and me', () => {
    render(
      <StagePeople
        myPeerId="p3"
        people={[
          person({ peerId: 'p3', displayName: 'Ada Lovelace', muted: true }),
          person({ peerId: 'p2', displayName: 'Cy', role: 'cohost', mutedByHost: true, muted: true }),
          person({ peerId: 'p1', displayName: 'Hedy', role: 'host', speaking: true }),
        ]}
      />,
    );
    const items = within(screen.getByRole('region', { name: 'On stage' })).getAllByRole('listitem');
    expect(items.map((i) => i.querySelector('.name')?.textContent)).toEqual(['Hedy', 'Cy', 'Ada Lovelace']);
    expect(items.map((i) => i.querySelector('.role')?.textContent)).toEqual(['Host · speaking', 'Co-host · muted by the host', 'Speaker (you) · muted']);
    expect(items.map((i) => i.getAttribute('data-speaking'))).toEqual(['true', 'false', 'false']);
  });

  it('does not show a muted person as speaking', () => {
    render(<StagePeople myPeerId={null} people={[person({ peerId: 'p1', speaking: true, muted: true })]} />);
    expect(screen.getByRole('listitem').getAttribute('data-speaking')).toBe('false');
  });

  it('makes initials from a name', () => {
    expect(initials('Ada Lovelace')).toBe('AL');
    expect(initials('  cher ')).toBe('C');
    expect(initials('Émile Zola Jr')).toBe('ÉJ');
    expect(initials('')).toBe('?');
    expect(initials('Ada (demo)')).toBe('AD');
    expect(initials('🎧 DJ Kat')).toBe('DK');
  });
});

function actions(overrides: Partial<SpeakActions> = {}) {
  return {
    requestToSpeak: vi.fn(async () => undefined),
    cancelRequest: vi.fn(async () => undefined),
    setMuted: vi.fn(async () => undefined),
    leaveStage: vi.fn(async () => undefined),
    needSignIn: vi.fn(),
    ...overrides,
  } satisfies SpeakActions;
}
const listener: MyPart = { role: 'listener', signedIn: true, requestPending: false, mic: null };

describe('SpeakControls', () => {
  it('offers a guest sign-in instead of sending a request', () => {
    const a = actions();
    render(<SpeakControls part={{ ...listener, signedIn: false }} actions={a} />);
    fireEvent.click(screen.getByRole('button', { name: /Ask to speak/ }));
    // Signed in, the request goes ahead.
    expect(a.needSignIn).toHaveBeenCalledWith(expect.stringMatching(/^Sign in to ask to speak/), a.requestToSpeak);
    expect(a.requestToSpeak).not.toHaveBeenCalled();
  });

  it('sends a signed-in listener’s request, then offers to cancel it', async () => {
    const a = actions();
    const { rerender } = render(<SpeakControls part={listener} actions={a} />);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: /Ask to speak/ })));
    expect(a.requestToSpeak).toHaveBeenCalledTimes(1);
    rerender(<SpeakControls part={{ ...listener, requestPending: true }} actions={a} />);
    expect(screen.getByText('You asked to speak. The host will answer soon.')).toBeTruthy();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Cancel request' })));
    expect(a.cancelRequest).toHaveBeenCalledTimes(1);
  });

  it('says in a sentence why a request was refused', async () => {
    const a = actions({ requestToSpeak: async () => Promise.reject({ code: 'LIMIT_EXCEEDED', message: 'Too many people are waiting to speak; try again later.' }) });
    render(<SpeakControls part={listener} actions={a} />);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: /Ask to speak/ })));
    expect(screen.getByRole('alert').textContent).toBe('Too many people are waiting to speak; try again later.');
  });

  it('unmutes and mutes a speaker’s own microphone, and lets them leave the stage', async () => {
    const a = actions();
    const { rerender } = render(<SpeakControls part={{ ...listener, role: 'speaker', mic: { muted: true, mutedByHost: false } }} actions={a} />);
    expect(screen.getByText(/You are on stage \(speaker\), muted\./)).toBeTruthy();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: /Unmute/ })));
    expect(a.setMuted).toHaveBeenLastCalledWith(false);
    rerender(<SpeakControls part={{ ...listener, role: 'speaker', mic: { muted: false, mutedByHost: false } }} actions={a} />);
    expect(screen.getByText('You are live: everyone hears you.')).toBeTruthy();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Mute' })));
    expect(a.setMuted).toHaveBeenLastCalledWith(true);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Leave stage' })));
    expect(a.leaveStage).toHaveBeenCalledTimes(1);
  });

  it('says "The host muted you" and does not offer an unmute past it', () => {
    render(<SpeakControls part={{ ...listener, role: 'speaker', mic: { muted: true, mutedByHost: true } }} actions={actions()} />);
    expect(screen.getByText('The host muted you.')).toBeTruthy();
    expect((screen.getByRole('button', { name: /Unmute/ }) as HTMLButtonElement).disabled).toBe(true);
  });
});

describe('ReactionsBar', () => {
  const EMOJI = ['👏', '❤️', '🔥'];

  it('names each emoji for screen readers and sends the one pressed', async () => {
    const onReact = vi.fn(async () => undefined);
    render(<ReactionsBar emoji={EMOJI} signedIn onReact={onReact} needSignIn={vi.fn()} />);
    expect(screen.getAllByRole('button').map((b) => b.getAttribute('aria-label'))).toEqual(['Applause', 'Love', 'Fire']);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Fire' })));
    expect(onReact).toHaveBeenCalledWith('🔥');
    expect(screen.getByText('You sent Fire.')).toBeTruthy();
  });

  it('offers a guest sign-in', () => {
    const onReact = vi.fn(async () => undefined);
    const needSignIn = vi.fn();
    render(<ReactionsBar emoji={EMOJI} signedIn={false} onReact={onReact} needSignIn={needSignIn} />);
    fireEvent.click(screen.getByRole('button', { name: 'Love' }));
    expect(needSignIn).toHaveBeenCalledWith(expect.stringMatching(/^Sign in to react/));
    expect(onReact).not.toHaveBeenCalled();
  });

  it('answers a rate limit politely, and the line goes away by itself', async () => {
    render(<ReactionsBar emoji={EMOJI} signedIn onReact={async () => Promise.reject({ code: 'RATE_LIMITED', message: 'Too many reactions.' })} needSignIn={vi.fn()} noticeMs={30} />);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Applause' })));
    expect(screen.getByText(SLOW_DOWN)).toBeTruthy();
    await vi.waitFor(() => expect(screen.queryByText(SLOW_DOWN)).toBeNull());
  });
});
