import { useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';
import { StudioError } from '../../../../../electron/contract.ts';
import { describeError } from '../../../../lib/error-messages.ts';
import { stagePeople } from '../../../../lib/stage-people.ts';
import { useAction } from '../../../../lib/use-action.ts';
import { LiveSession, type LiveSnapshot } from '../lib/live-session.ts';
import { CohostJoin } from './cohost-join.tsx';
import { LiveStage } from './live-stage.tsx';

const ENDED: Record<NonNullable<LiveSnapshot['ended']>, string> = {
  'host-ended': 'You ended the Space.',
  'host-left': 'The Space ended because the studio disconnected.',
  'server-shutdown': 'The Space ended because the server stopped.',
  'media-failure': 'The Space ended because the audio server failed.',
  removed: 'You were removed from this Space.',
  'connection-lost': 'The connection to the server was lost; the Space has ended.',
};

function useSnapshot(session: LiveSession) {
  return useSyncExternalStore(
    (onChange) => session.subscribe(onChange),
    () => session.snapshot,
  );
}

/** `hostTools`: what the app adds for the host of a live Space (e.g. inviting a co-host). */
export function OnAir({ session, onClosed, hostTools }: { session: LiveSession; onClosed: () => void; hostTools?: (spaceId: string) => ReactNode }) {
  const snapshot = useSnapshot(session);
  const [hosting] = useState(() => session.snapshot.role === 'host');
  const { busy, error, run } = useAction();
  const [copied, setCopied] = useState(false);
  if (snapshot.ended) {
    // A co-host did not end it: the host did.
    const said = snapshot.ended === 'host-ended' && !hosting ? 'The host ended the Space.' : ENDED[snapshot.ended];
    return (
      <div className="ended">
        <p role="status">{said}</p>
        <button type="button" onClick={onClosed}>
          Start another Space
        </button>
      </div>
    );
  }
  const count = snapshot.space.listenerCount;
  return (
    <div className="on-air">
      <p className="live-badge" role="status">
        ● Live: {snapshot.space.title}
      </p>
      {snapshot.reconnecting ? (
        <p className="reconnecting" role="status" data-reconnecting="true">
          The connection to the server dropped. Taking the Space back…
        </p>
      ) : null}
      <label className="field">
        <span>Listener link</span>
        <span className="link-row">
          <input aria-label="Listener link" readOnly value={snapshot.listenerUrl} onFocus={(e) => e.target.select()} />
          <button
            type="button"
            onClick={() => void navigator.clipboard?.writeText(snapshot.listenerUrl).then(() => setCopied(true), () => setCopied(false))}
          >
            {copied ? 'Copied' : 'Copy'}
          </button>
        </span>
      </label>
      <p className="listener-count" aria-live="polite" data-count={count}>
        {count === 1 ? '1 listener' : `${count} listeners`}
      </p>
      {snapshot.role === 'listener' ? (
        <p className="off-stage" aria-live="polite">
          You are off the stage: your mix is not going out, and you listen.
        </p>
      ) : (
        <div className="actions">
          <button type="button" aria-pressed={snapshot.muted} disabled={busy} onClick={() => run(() => session.setMuted(!snapshot.muted))}>
            {snapshot.muted ? 'Unmute' : 'Mute'}
          </button>
          {snapshot.role === 'host' ? (
            <button type="button" className="danger" disabled={busy} onClick={() => run(() => session.end())}>
              End Space
            </button>
          ) : (
            <button type="button" disabled={busy} onClick={() => run(() => session.leaveStage())}>
              Leave the stage
            </button>
          )}
        </div>
      )}
      {error ? <p className="error" role="alert">{describeError(error)}</p> : null}
      {snapshot.role === 'host' && hostTools ? <div className="host-tools">{hostTools(snapshot.space.spaceId)}</div> : null}
      <LiveStage
        members={stagePeople(snapshot.space.stage, snapshot.speaking)}
        me={snapshot.role}
        myPeerId={snapshot.myPeerId}
        requests={snapshot.requests}
        reactions={snapshot.reactions}
        monitor={snapshot.streams}
        actions={stageActions(session)}
      />
    </div>
  );
}

/** What the stage screen may ask of the live session. */
function stageActions(session: LiveSession) {
  return {
    answer: (peerId: string, accept: boolean) => session.answer(peerId, accept),
    mute: (peerId: string, muted: boolean) => session.mute(peerId, muted),
    moveToListener: (peerId: string) => session.moveToListener(peerId),
    remove: (peerId: string) => session.remove(peerId),
  };
}

/** A scheduled Space the host chose to start (from the upcoming list), or null to start a new one. */
export type ScheduledStart = { id: string; title: string } | null;

export function StagePanel(props: {
  track: MediaStreamTrack;
  ready: boolean;
  defaultTitle: string;
  scheduled?: ScheduledStart;
  onScheduledDone?: () => void;
  /** A Space this account just became co-host of (an accepted invite): offered to join its stage. */
  cohostOf?: string | null;
  onCohostDone?: () => void;
  /** Added to the on-air screen for the host (the app composes other features here). */
  hostTools?: (spaceId: string) => ReactNode;
  /** Told of the live session when one starts or is put away (the app hands it to other features, e.g. the premiere). */
  onSessionChange?: (session: LiveSession | null) => void;
}) {
  const { track, ready, defaultTitle, scheduled = null } = props;
  const [session, setSession] = useState<LiveSession | null>(null);
  const [title, setTitle] = useState(defaultTitle);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => setTitle(scheduled?.title ?? defaultTitle), [defaultTitle, scheduled]);
  const { onSessionChange } = props;
  useEffect(() => onSessionChange?.(session), [onSessionChange, session]);

  const goLive = async () => {
    setStarting(true);
    setError(null);
    try {
      const { url } = await window.studio.server.getConnection();
      const account = await window.studio.account.get();
      if (!account) throw new StudioError({ code: 'PERMISSION_DENIED', message: 'Sign in to host a Space.' });
      const started = await LiveSession.start({
        serverUrl: url,
        sessionToken: account.sessionToken,
        title: title.trim() || 'My Space',
        track,
        ...(scheduled ? { scheduledSpaceId: scheduled.id } : {}),
      });
      setSession(started);
      if (scheduled) props.onScheduledDone?.();
    } catch (e) {
      setError(e);
    } finally {
      setStarting(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="stage-heading">
      <h2 id="stage-heading">Stage</h2>
      {session ? (
        <OnAir session={session} onClosed={() => setSession(null)} {...(props.hostTools ? { hostTools: props.hostTools } : {})} />
      ) : props.cohostOf ? (
        <CohostJoin
          spaceId={props.cohostOf}
          track={track}
          ready={ready}
          onJoined={(joined) => {
            setSession(joined);
            props.onCohostDone?.();
          }}
          onDismiss={() => props.onCohostDone?.()}
        />
      ) : (
        <form
          className="go-live"
          onSubmit={(e) => {
            e.preventDefault();
            void goLive();
          }}
        >
          <label className="field">
            <span>Title</span>
            <input aria-label="Space title" value={title} maxLength={120} readOnly={scheduled !== null} onChange={(e) => setTitle(e.target.value)} />
          </label>
          <button type="submit" className="primary" disabled={!ready || starting}>
            {starting ? 'Going live…' : scheduled ? 'Go live with this Space' : 'Go live'}
          </button>
          {scheduled ? (
            <button type="button" onClick={() => props.onScheduledDone?.()}>
              Start a new Space instead
            </button>
          ) : null}
          {error ? <p className="error" role="alert">{describeError(error)}</p> : null}
        </form>
      )}
    </section>
  );
}
