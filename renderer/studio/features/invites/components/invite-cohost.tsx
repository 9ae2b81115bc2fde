import { useId, useState, type FormEvent } from 'react';
import type { CreatedInviteJson } from '../../../../../electron/contract.ts';
import { describeError } from '../../../../lib/error-messages.ts';
import { useCreateInvite, useInvites, useRevokeInvite } from '../api/invites.ts';

const STATUS: Record<string, string> = { pending: 'waiting', used: 'accepted', revoked: 'revoked', expired: 'expired' };

function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      onClick={() =>
        void navigator.clipboard?.writeText(text).then(
          () => setCopied(true),
          () => setCopied(false),
        )
      }
    >
      {copied ? 'Copied' : label}
    </button>
  );
}

/** The host invites an account as co-host: a single-use, expiring code (shown once) and link; pending invites can be revoked. */
export function InviteCohost({ spaceId }: { spaceId: string }) {
  const [open, setOpen] = useState(false);
  const invites = useInvites(spaceId, open);
  const create = useCreateInvite(spaceId);
  const revoke = useRevokeInvite(spaceId);
  const [created, setCreated] = useState<CreatedInviteJson | null>(null);
  const ids = { handle: useId(), expiry: useId() };

  if (!open) {
    return (
      <button type="button" className="link" onClick={() => setOpen(true)}>
        Invite a co-host
      </button>
    );
  }
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const hours = Number(form.get('hours') ?? 24);
    create.mutate({ handle: String(form.get('handle') ?? '').replace(/^@/, ''), expiresInMinutes: Math.round(hours * 60) }, { onSuccess: setCreated });
  };
  return (
    <div className="invite-cohost" aria-label="Co-host invites">
      <form onSubmit={submit} className="schedule-when">
        <label className="field" htmlFor={ids.handle}>
          <span>Co-host's handle</span>
          <input id={ids.handle} name="handle" required maxLength={21} autoCapitalize="none" spellCheck={false} placeholder="@handle" />
        </label>
        <label className="field" htmlFor={ids.expiry}>
          <span>Valid for</span>
          <select id={ids.expiry} name="hours" defaultValue="24">
            <option value="1">1 hour</option>
            <option value="24">1 day</option>
            <option value="72">3 days</option>
            <option value="168">7 days</option>
          </select>
        </label>
        <button type="submit" className="primary" disabled={create.isPending}>
          Create invite
        </button>
      </form>
      {create.error ? (
        <p className="error" role="alert">
          {describeError(create.error)}
        </p>
      ) : null}
      {created ? (
        <div role="status" className="stack">
          <p>
            Send this to @{created.invite.handle}; it works once, until {new Date(created.expiresAt).toLocaleString()}, and is shown only now:
          </p>
          <p className="invite-code" aria-label="Invite code">
            {created.code}
          </p>
          <div className="actions">
            <CopyButton text={created.code} label="Copy code" />
            <CopyButton text={created.link} label="Copy link" />
          </div>
        </div>
      ) : null}
      <ul className="invite-list" aria-label="Invites">
        {(invites.data?.invites ?? []).map((invite) => (
          <li key={invite.id}>
            <span>
              @{invite.handle} <span className="hint">{STATUS[invite.status]}</span>
            </span>
            {invite.status === 'pending' ? (
              <button type="button" disabled={revoke.isPending} onClick={() => revoke.mutate(invite.id)} aria-label={`Revoke the invite of @${invite.handle}`}>
                Revoke
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      {revoke.error ? (
        <p className="error" role="alert">
          {describeError(revoke.error)}
        </p>
      ) : null}
    </div>
  );
}
