/**
 * A live Space on the listener page once the listener pressed play: what is
 * going on, how many listen, everyone on stage (one <audio> per producer, the
 * host's first), and the stage: ask to speak, the green room, the own
 * microphone, reactions. Asking and reacting need an account: the sign-in form
 * opens in place and, once signed in, does what was asked.
 */
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { REACTIONS } from '../../server/signalling/protocol.ts';
import { ErrorAlert } from '../lib/error-alert.tsx';
import { stagePeople } from '../lib/stage-people.ts';
import { StreamAudio } from '../lib/stream-audio.tsx';
import type { AccountSnapshot, AccountStore } from './account/account-store.ts';
import { ListenerStage, type ListenerStageActions } from './components/listener-stage.tsx';
import { SignInForm } from './components/sign-in-form.tsx';
import { MicCheck } from './lib/mic-check.ts';
import type { ListenerSession, ListenerSnapshot } from './listener-session.ts';
import { myPart } from './stage-view.ts';

const MIC = { openMic: (deviceId?: string) => MicCheck.open(deviceId), listMicrophones: () => MicCheck.microphones() };

export type SignInRequest = { reason: string; then?: () => Promise<void> };

export function LivePlayer({
  session,
  stateLine,
  account,
  accounts,
  signInFor,
  onSignInFor,
}: {
  session: ListenerSession;
  stateLine: (snapshot: ListenerSnapshot) => string;
  account: AccountSnapshot;
  accounts: AccountStore;
  /** The sign-in form, when something asked for it (null when closed). */
  signInFor: SignInRequest | null;
  onSignInFor: (request: SignInRequest | null) => void;
}) {
  const snapshot = useSyncExternalStore((f) => session.subscribe(f), () => session.snapshot);
  const [volume, setVolume] = useState(1);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const stageArea = useRef<HTMLDivElement>(null);
  const hadForm = useRef(signInFor !== null);
  useEffect(() => {
    if (hadForm.current && signInFor === null) stageArea.current?.focus();
    hadForm.current = signInFor !== null;
  }, [signInFor]);
  const role = snapshot.you?.role ?? 'listener';
  const previousRole = useRef(role);
  useEffect(() => () => session.close(), [session]);

  // This connection follows the page's account: signed in on the page, signed in on the socket (once).
  const socketSignIn = useRef<{ session: ListenerSession; token: string; done: Promise<void> } | null>(null);
  const ensureSignedIn = (token: string | null): Promise<void> => {
    if (!token) return Promise.reject({ code: 'PERMISSION_DENIED', message: 'Sign in first: asking to speak and reacting need an account.' });
    if (socketSignIn.current?.token !== token || socketSignIn.current.session !== session) {
      const done = session.snapshot.signedIn ? Promise.resolve() : session.signIn(token);
      socketSignIn.current = { session, token, done };
      done.catch(() => (socketSignIn.current = null));
    }
    return socketSignIn.current.done;
  };
  const live = snapshot.phase !== 'ended' && snapshot.phase !== 'disconnected';
  const joined = live && snapshot.space !== null && snapshot.phase !== 'connecting';
  useEffect(() => {
    if (account.status === 'signed-in' && joined && !snapshot.signedIn) ensureSignedIn(account.token).catch(setError);
    // ensureSignedIn reads the session and its ref only.
  }, [account, joined, snapshot.signedIn]);

  // What the host decided, said once: moved back to the audience (not when leaving themselves),
  // or the request not taken (not when cancelling it themselves).
  const leaving = useRef(false);
  const cancelling = useRef(false);
  const pending = snapshot.you?.requestPending ?? false;
  const previousPending = useRef(pending);
  useEffect(() => {
    if (previousRole.current !== 'listener' && role === 'listener') setNotice(leaving.current ? null : 'The host moved you back to the audience.');
    else if (previousPending.current && !pending && role === 'listener') setNotice(cancelling.current ? null : 'The host did not take your request this time.');
    else if (role !== 'listener' || pending) setNotice(null);
    if (role === 'listener') leaving.current = false;
    if (!pending) cancelling.current = false;
    previousRole.current = role;
    previousPending.current = pending;
  }, [role, pending]);

  const { part, inGreenRoom } = myPart({ stage: snapshot.space?.stage ?? [], you: snapshot.you, signedIn: account.status !== 'guest', publishing: snapshot.publishing });
  const people = stagePeople(snapshot.space?.stage ?? [], snapshot.speaking);
  const asAccount = (action: () => Promise<void>) => async () => {
    await ensureSignedIn(accounts.snapshot.token);
    await action();
  };

  const actions: ListenerStageActions = {
    requestToSpeak: asAccount(() => session.requestToSpeak()),
    cancelRequest: async () => {
      cancelling.current = true;
      await session.cancelRequest();
    },
    setMuted: (muted) => session.setMuted(muted),
    leaveStage: async () => {
      leaving.current = true;
      await session.leaveStage();
    },
    react: (emoji) => asAccount(() => session.react(emoji))(),
    joinStage: (track) => session.joinStage(track),
    // Signed in, what the listener asked for goes ahead (a request to speak goes out).
    needSignIn: (reason, then) => onSignInFor({ reason, then: asAccount(then ?? (async () => undefined)) }),
  };

  const count = snapshot.space?.listenerCount;
  const main = snapshot.stream;
  const others = snapshot.streams.filter((s) => s.stream !== main);
  return (
    <>
      <p className="state" role="status" data-phase={snapshot.phase}>
        {stateLine(snapshot)}
      </p>
      {snapshot.phase === 'disconnected' ? (
        <button type="button" className="primary retry" onClick={() => session.retry()}>
          Try again
        </button>
      ) : null}
      {count !== undefined && snapshot.phase !== 'ended' ? <p className="muted">{count === 1 ? '1 listener' : `${count} listeners`}</p> : null}
      {snapshot.phase === 'listening' || snapshot.phase === 'reconnecting' ? (
        <label className="volume">
          <span>Volume</span>
          <input type="range" aria-label="Volume" min={0} max={1} step={0.05} value={volume} onChange={(e) => setVolume(Number(e.target.value))} />
        </label>
      ) : null}
      {/* The host's stream first: one element per producer on stage. */}
      {/* One key for the host's element, so that a reconnect plays the new stream through the same element. */}
      {main ? <StreamAudio key="main" stream={main} volume={volume} /> : <audio />}
      {others.map((s) => (
        <StreamAudio key={s.producerId} stream={s.stream} volume={volume} />
      ))}
      {joined && signInFor ? (
        <SignInForm
          store={accounts}
          reason={signInFor.reason}
          onCancel={() => onSignInFor(null)}
          onDone={() => {
            onSignInFor(null);
            signInFor.then?.().catch(setError);
          }}
        />
      ) : joined ? (
        // Back from the sign-in form, the focus comes here rather than to the page's start.
        <div className="stage-area" ref={stageArea} tabIndex={-1} role="region" aria-label="The stage">
          {notice ? <p className="notice">{notice}</p> : null}
          <ListenerStage view={{ people, myPeerId: snapshot.you?.peerId ?? null, part, inGreenRoom, reactions: REACTIONS }} actions={actions} mic={MIC} />
        </div>
      ) : null}
      <ErrorAlert error={error} />
    </>
  );
}
