/**
 * A co-host's way onto someone else's stage: after accepting an invite, this
 * studio joins that Space (on the server it is connected to) and publishes its
 * own program mix.
 */
import { useState } from 'react';
import { StudioError } from '../../../../../electron/contract.ts';
import { ErrorAlert } from '../../../../lib/error-alert.tsx';
import { LiveSession } from '../lib/live-session.ts';

export function CohostJoin({ spaceId, track, ready, onJoined, onDismiss }: { spaceId: string; track: MediaStreamTrack; ready: boolean; onJoined: (session: LiveSession) => void; onDismiss: () => void }) {
  const [joining, setJoining] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const join = async () => {
    setJoining(true);
    setError(null);
    try {
      const { url } = await window.studio.server.getConnection();
      const account = await window.studio.account.get();
      if (!account) throw new StudioError({ code: 'PERMISSION_DENIED', message: 'Sign in to join a stage.' });
      onJoined(await LiveSession.join({ serverUrl: url, sessionToken: account.sessionToken, spaceId, track }));
    } catch (e) {
      setError(e);
      setJoining(false);
    }
  };
  return (
    <div className="go-live cohost-join">
      <p>You are a co-host of this Space. Join its stage: your mix goes out as soon as you are on.</p>
      <button type="button" className="primary" disabled={!ready || joining} onClick={() => void join()}>
        {joining ? 'Joining…' : 'Join the stage as co-host'}
      </button>
      <button type="button" disabled={joining} onClick={onDismiss}>
        Not now
      </button>
      <ErrorAlert error={error} />
    </div>
  );
}
