import { useId, useState, type FormEvent } from 'react';
import { describeError } from '../../../../lib/error-messages.ts';
import { useAcceptInvite } from '../api/invites.ts';

/** Reads an invite code, alone or inside the link the host copied (`…#invite=CODE`). */
export function inviteCode(text: string): string {
  const trimmed = text.trim();
  const fromLink = /[#&]invite=([^&\s]+)/.exec(trimmed);
  return fromLink ? decodeURIComponent(fromLink[1]!) : trimmed;
}

/** The invited creator's side: paste the code or link; accepted, they are a co-host of that Space (`onAccepted`). */
export function AcceptInvite({ onAccepted }: { onAccepted: (spaceId: string) => void }) {
  const accept = useAcceptInvite();
  const [value, setValue] = useState('');
  const heading = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    accept.mutate(inviteCode(value), { onSuccess: ({ spaceId }) => onAccepted(spaceId) });
  };
  return (
    <section className="panel" aria-labelledby={heading}>
      <h2 id={heading}>Co-host a Space</h2>
      <form onSubmit={submit}>
        <label className="field">
          <span>Invite code or link</span>
          <input value={value} onChange={(e) => setValue(e.target.value)} required maxLength={2048} autoCapitalize="none" spellCheck={false} />
        </label>
        {accept.error ? (
          <p className="error" role="alert">
            {describeError(accept.error)}
          </p>
        ) : null}
        {accept.data ? <p role="status">You are a co-host of this Space.</p> : null}
        <button type="submit" className="primary" disabled={accept.isPending}>
          Accept invite
        </button>
      </form>
    </section>
  );
}
