/**
 * A row of emoji a signed-in listener can send to the host. A guest is offered
 * sign-in; a reaction the server refuses for coming too fast is answered with
 * a polite line that goes away by itself, and the one sent shows briefly.
 */
import { useEffect, useState } from 'react';
import { describeError } from '../../lib/error-messages.ts';

/** Names for the emoji the server allows (server/domain/stage.ts REACTIONS); an unknown one is named by itself. */
export const REACTION_NAMES: Record<string, string> = {
  '👏': 'Applause',
  '❤️': 'Love',
  '😂': 'Laughing',
  '🔥': 'Fire',
  '💯': 'A hundred',
  '🙌': 'Raised hands',
  '😮': 'Wow',
  '👍': 'Thumbs up',
};

export const SLOW_DOWN = 'Lots of love! Wait a few seconds before the next reaction.';

type Notice = { text: string; kind: 'sent' | 'error' };

export function ReactionsBar({
  emoji,
  signedIn,
  onReact,
  needSignIn,
  noticeMs = 3000,
}: {
  emoji: readonly string[];
  signedIn: boolean;
  onReact: (emoji: string) => Promise<void>;
  needSignIn: (reason: string) => void;
  noticeMs?: number;
}) {
  const [notice, setNotice] = useState<Notice | null>(null);
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(null), noticeMs);
    return () => clearTimeout(timer);
  }, [notice, noticeMs]);

  const react = (e: string) => {
    if (!signedIn) {
      needSignIn('Sign in to react. Listening needs no account.');
      return;
    }
    onReact(e).then(
      () => setNotice({ text: `You sent ${REACTION_NAMES[e] ?? e}.`, kind: 'sent' }),
      (error: unknown) => setNotice({ text: (error as { code?: unknown }).code === 'RATE_LIMITED' ? SLOW_DOWN : describeError(error), kind: 'error' }),
    );
  };

  return (
    <section className="reactions" aria-label="Reactions">
      <div className="reaction-buttons">
        {emoji.map((e) => (
          <button key={e} type="button" className="reaction" aria-label={REACTION_NAMES[e] ?? e} title={REACTION_NAMES[e] ?? e} onClick={() => react(e)}>
            {e}
          </button>
        ))}
      </div>
      <p className={notice?.kind === 'error' ? 'reaction-notice error' : 'reaction-notice'} aria-live="polite">
        {notice?.text ?? ''}
      </p>
    </section>
  );
}
