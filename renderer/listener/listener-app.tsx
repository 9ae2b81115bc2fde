import { useCallback, useEffect, useState } from 'react';
import { spaceInfoSchema, wireErrorSchema, type SpaceInfo } from '../../server/signalling/protocol.ts';
import { describeError } from '../lib/error-messages.ts';
import { useAccountStore } from './account/use-account.ts';
import { AccountBar } from './components/account-bar.tsx';
import { SessionCaptions, TranscriptLinks } from './components/captions.tsx';
import { SessionNowPlaying } from './components/now-playing.tsx';
import { SignInForm } from './components/sign-in-form.tsx';
import { LivePlayer, type SignInRequest } from './live-player.tsx';
import { ListenerSession, PAGE_DEPS, type ListenerSnapshot } from './listener-session.ts';
import { OverflowOffer, OverflowPlayer } from './overflow-player.tsx';
import { ScheduledSpace } from './scheduled-space.tsx';
import { TicketPanel } from './tickets/ticket-panel.tsx';

const ENDED: Record<NonNullable<ListenerSnapshot['endReason']>, string> = {
  'host-ended': 'The host ended this Space. Thanks for listening!',
  'host-left': 'The host disconnected, so this Space has ended.',
  'server-shutdown': 'This Space ended because its server stopped.',
  'media-failure': 'This Space ended because of a problem on its server.',
  removed: 'The host removed you from this Space.',
};

/** The one line that tells the listener what is going on. */
export function stateLine(snapshot: ListenerSnapshot): string {
  switch (snapshot.phase) {
    case 'connecting':
      return snapshot.waitSeconds ? `Many people are joining right now. You are in in ${snapshot.waitSeconds} s…` : 'Connecting…';
    case 'waiting':
      return snapshot.space?.hostConnected === false
        ? 'The host’s connection dropped. Waiting for them to come back…'
        : 'Connected. Waiting for the host’s audio…';
    case 'listening':
      return snapshot.space?.hostMuted ? 'Live. The host is muted.' : 'Live. You are listening.';
    case 'reconnecting':
      return snapshot.reconnectAttempt > 0 ? 'The connection was lost. Reconnecting…' : 'The connection is unstable. Reconnecting…';
    case 'ended':
      if (snapshot.ticket === 'elsewhere') return 'Your ticket is now being used on another device or tab, so listening stopped here.';
      if (snapshot.ticket === 'revoked') return 'Your ticket was refunded or disputed, so it no longer lets you listen to this Space.';
      if (snapshot.ticket === 'required') return 'This Space needs a ticket to listen.';
      return snapshot.endReason ? ENDED[snapshot.endReason] : 'This Space has ended.';
    case 'disconnected':
      return 'Could not reconnect. Check your connection and try again.';
  }
}

async function fetchSpaceInfo(serverUrl: string, spaceId: string): Promise<SpaceInfo> {
  const response = await fetch(new URL(`/api/spaces/${encodeURIComponent(spaceId)}`, serverUrl));
  const body: unknown = await response.json();
  if (!response.ok) throw wireErrorSchema.parse((body as { error?: unknown }).error);
  return spaceInfoSchema.parse(body);
}

const NO_SPACE = { code: 'NOT_FOUND', message: 'There is no Space at this link.' };

/** `spaceId` is null when the link names no Space (see space-link.ts). */
export function ListenerApp({ spaceId, serverUrl }: { spaceId: string | null; serverUrl: string }) {
  const [info, setInfo] = useState<SpaceInfo | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [session, setSession] = useState(() => new ListenerSession(PAGE_DEPS));
  const [playing, setPlaying] = useState(false);
  const [accounts, account] = useAccountStore(serverUrl);
  const [signInFor, setSignInFor] = useState<SignInRequest | null>(null);
  // The HLS overflow stream (issue #12): chosen by the link (`?overflow`), or when every seat is taken.
  const [overflow, setOverflow] = useState<'chosen' | 'full' | null>(() => (typeof location !== 'undefined' && new URLSearchParams(location.search).has('overflow') ? 'chosen' : null));

  useEffect(() => {
    if (spaceId === null) setError(NO_SPACE);
    else fetchSpaceInfo(serverUrl, spaceId).then(setInfo, setError);
  }, [spaceId, serverUrl]);

  // Everything but the final resume is done before the click (prejoin), as the account on this page.
  useEffect(() => {
    if (info?.status === 'live' && spaceId !== null && !playing && !overflow && account.status !== 'checking') session.prejoin(serverUrl, spaceId, { sessionToken: account.token });
  }, [info, session, serverUrl, spaceId, playing, account, overflow]);

  const play = (listening = session, sessionToken = account.token, onOverflow = overflow !== null) => {
    if (spaceId === null) return;
    if (onOverflow) {
      setPlaying(true);
      return;
    }
    // Pressing play is the user gesture browsers require before audio may start.
    // Signed in on this page: the connection is signed in before it joins (a removed account is refused here).
    // Joined first: a pre-joined session's resume goes out before the page renders the player.
    listening.join(serverUrl, spaceId, { sessionToken }).catch((e: unknown) => {
      setError(e);
      listening.close();
      setSession(new ListenerSession(PAGE_DEPS));
      setPlaying(false);
    });
    setError(null);
    setPlaying(true);
  };

  // Signing out ends the signed-in connection (its seat or request goes with it); a listener keeps listening as a guest.
  const signOut = () => {
    if (playing) {
      // The player closes the signed-in session when it is handed the new one.
      const guest = new ListenerSession(PAGE_DEPS);
      setSession(guest);
      play(guest, null);
    }
    accounts.signOut().catch(setError);
  };

  const toOverflow = useCallback(() => {
    session.close();
    setSession(new ListenerSession(PAGE_DEPS));
    setOverflow('full');
  }, [session]);
  // A seat freed: back to live audio (the listener pressed play before, so audio may start by itself).
  const backToLive = () => {
    setOverflow(null);
    play(session, account.token, false);
  };

  // Not started yet (or cancelled): its own page, which turns live by itself.
  if (info && (info.status === 'scheduled' || info.status === 'cancelled')) return <ScheduledSpace info={info} serverUrl={serverUrl} onChange={setInfo} />;
  const ended = info && info.status !== 'live';
  return (
    <div className="listener">
      <div className="panel">
        <h1>{info?.title ?? (error ? 'Space not available' : 'Loading…')}</h1>
        {playing && !overflow ? <SessionNowPlaying session={session} /> : null}
        {playing && !overflow ? <SessionCaptions feed={session.captions} /> : null}
        {playing && !overflow && spaceId !== null ? <TranscriptLinks serverUrl={serverUrl} spaceId={spaceId} token={account.token} /> : null}
        {playing && !overflow ? <OverflowOffer session={session} onChoose={toOverflow} /> : null}
        {overflow && playing && info?.status === 'live' && spaceId !== null ? (
          <OverflowPlayer serverUrl={serverUrl} spaceId={spaceId} returnWhenSeatFree={overflow === 'full'} onSeatFree={backToLive} token={account.token} />
        ) : playing ? (
          <LivePlayer session={session} stateLine={stateLine} account={account} accounts={accounts} signInFor={signInFor} onSignInFor={setSignInFor} />
        ) : signInFor ? (
          <SignInForm store={accounts} reason={signInFor.reason} onDone={() => setSignInFor(null)} onCancel={() => setSignInFor(null)} />
        ) : ended ? (
          <>
            <p className="state" role="status" data-phase="ended">
              This Space has ended.
            </p>
            {spaceId !== null ? <TicketPanel serverUrl={serverUrl} spaceId={spaceId} accounts={accounts} account={account} space={{ status: 'ended', scheduledFor: null }} /> : null}
            {spaceId !== null ? <TranscriptLinks serverUrl={serverUrl} spaceId={spaceId} token={account.token} /> : null}
          </>
        ) : (
          <>
            {info ? (
              <p className="live-now">
                <span className="dot" aria-hidden="true" /> Live now · {info.listenerCount === 1 ? '1 listener' : `${info.listenerCount} listeners`}
              </p>
            ) : null}
            {spaceId !== null ? <TicketPanel serverUrl={serverUrl} spaceId={spaceId} accounts={accounts} account={account} /> : null}
            <button type="button" className="primary play" disabled={!info} onClick={() => play()}>
              ▶ Listen live
            </button>
          </>
        )}
        {error ? (
          <p className="error" role="alert">
            {describeError(error)}
          </p>
        ) : null}
        {signInFor ? null : (
          <AccountBar
            account={account}
            onSignIn={() => setSignInFor({ reason: 'Sign in to ask to speak and react. Listening needs no account.' })}
            onSignOut={signOut}
          />
        )}
      </div>
      <p className="brand">Spacecraft</p>
    </div>
  );
}
