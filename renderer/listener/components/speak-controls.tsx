/**
 * The listener's own part in the Space: their role, asking to speak (or
 * cancelling), and, on stage, their microphone: unmute / mute, "The host muted
 * you" (their unmute is refused until it is lifted), leave the stage. A guest
 * who asks to speak is offered sign-in first.
 */
import { ErrorAlert } from '../../lib/error-alert.tsx';
import { useAction } from '../../lib/use-action.ts';
import { ROLE_LABEL } from './stage-people.tsx';

export type MyPart = {
  role: 'host' | 'cohost' | 'speaker' | 'listener';
  signedIn: boolean;
  requestPending: boolean;
  /** On stage with a published microphone: its state. Null while listening or in the green room. */
  mic: { muted: boolean; mutedByHost: boolean } | null;
};

export type SpeakActions = {
  requestToSpeak: () => Promise<void>;
  cancelRequest: () => Promise<void>;
  setMuted: (muted: boolean) => Promise<void>;
  leaveStage: () => Promise<void>;
  /** A guest asked for something that needs an account; `then` is done once they are signed in. */
  needSignIn: (reason: string, then?: () => Promise<void>) => void;
};

export function SpeakControls({ part, actions }: { part: MyPart; actions: SpeakActions }) {
  const { busy, error, run } = useAction();

  let body;
  if (part.role === 'listener') {
    body = part.requestPending ? (
      <>
        <p className="my-part" aria-live="polite">
          You asked to speak. The host will answer soon.
        </p>
        <button type="button" disabled={busy} onClick={() => run(actions.cancelRequest)}>
          Cancel request
        </button>
      </>
    ) : (
      <button
        type="button"
        className="primary ask"
        disabled={busy}
        onClick={() => (part.signedIn ? run(actions.requestToSpeak) : actions.needSignIn('Sign in to ask to speak. Listening needs no account.', actions.requestToSpeak))}
      >
        ✋ Ask to speak
      </button>
    );
  } else if (part.mic) {
    const { muted, mutedByHost } = part.mic;
    body = (
      <>
        <p className="my-part" aria-live="polite" data-muted={muted} data-muted-by-host={mutedByHost}>
          {mutedByHost ? 'The host muted you.' : muted ? `You are on stage (${ROLE_LABEL[part.role].toLowerCase()}), muted.` : 'You are live: everyone hears you.'}
        </p>
        <div className="form-actions">
          <button
            type="button"
            className={muted ? 'primary' : undefined}
            disabled={busy || (muted && mutedByHost)}
            onClick={() => run(() => actions.setMuted(!muted))}
          >
            {muted ? 'Unmute' : 'Mute'}
          </button>
          <button type="button" disabled={busy} onClick={() => run(actions.leaveStage)}>
            Leave stage
          </button>
        </div>
        {mutedByHost ? <p className="muted small">You can unmute once the host lets you.</p> : null}
      </>
    );
  } else {
    body = (
      <p className="my-part" aria-live="polite">
        You are a {ROLE_LABEL[part.role].toLowerCase()}.
      </p>
    );
  }

  return (
    <section className="speak" aria-label="Your part">
      {body}
      <ErrorAlert error={error} />
    </section>
  );
}
