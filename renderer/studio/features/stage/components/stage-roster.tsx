/**
 * The people on stage, in the studio: who speaks right now, who is muted (and
 * by whom), and per person what I may do to them by my role: the host acts on
 * co-hosts and speakers, a co-host on speakers; nobody on themselves or on
 * someone at or above them. Removing asks to confirm, since a removed account
 * cannot come back to the Space.
 */
import { useState } from 'react';
import { ErrorAlert } from '../../../../lib/error-alert.tsx';
import type { StagePerson } from '../../../../lib/stage-people.ts';
import { useAction } from '../../../../lib/use-action.ts';

export type StageRole = 'host' | 'cohost' | 'speaker';

/** One row of the roster: a person on stage with whether they speak now. */
export type RosterMember = StagePerson;

export type RosterActions = {
  mute: (peerId: string, muted: boolean) => Promise<void>;
  moveToListener: (peerId: string) => Promise<void>;
  remove: (peerId: string) => Promise<void>;
};

const RANK: Record<StageRole, number> = { host: 2, cohost: 1, speaker: 0 };
const LABEL: Record<StageRole, string> = { host: 'Host', cohost: 'Co-host', speaker: 'Speaker' };

/** Whether someone with `me` as role may mute, move or remove someone with `them`. */
export function mayModerate(me: StageRole | 'listener', them: StageRole): boolean {
  return (me === 'host' || me === 'cohost') && RANK[them] < RANK[me];
}

function statusOf(member: RosterMember): string {
  if (member.mutedByHost) return 'muted by a host';
  if (member.muted) return 'muted';
  if (member.speaking) return 'speaking';
  return 'live';
}

function Member({ member, me, myPeerId, actions }: { member: RosterMember; me: StageRole | 'listener'; myPeerId: string | null; actions: RosterActions }) {
  const [confirming, setConfirming] = useState(false);
  const { busy, error, run } = useAction();
  const mine = member.peerId === myPeerId;
  const may = !mine && mayModerate(me, member.role);
  const speaking = member.speaking && !member.muted;
  const name = member.displayName;
  return (
    <li className="member" data-peer={member.peerId} data-speaking={speaking} data-muted={member.muted}>
      <span className="member-who">
        <span className="member-name">
          {name}
          {mine ? ' (you)' : null}
        </span>
        <span className="member-meta">
          {LABEL[member.role]}
          {member.handle ? ` · @${member.handle}` : ''} · <span className="member-status">{statusOf(member)}</span>
        </span>
      </span>
      {may && !confirming ? (
        <span className="member-actions">
          <button type="button" disabled={busy} aria-label={member.mutedByHost ? `Let ${name} unmute` : `Mute ${name}`} onClick={() => run(() => actions.mute(member.peerId, !member.mutedByHost))}>
            {member.mutedByHost ? 'Let unmute' : 'Mute'}
          </button>
          <button type="button" disabled={busy} aria-label={`Move ${name} to listeners`} onClick={() => run(() => actions.moveToListener(member.peerId))}>
            To listeners
          </button>
          <button type="button" className="danger" disabled={busy} aria-label={`Remove ${name}`} onClick={() => setConfirming(true)}>
            Remove
          </button>
        </span>
      ) : null}
      {confirming ? (
        <span className="confirm" role="group" aria-label={`Remove ${name}?`}>
          <span>Remove {name}? They cannot come back to this Space.</span>
          <button
            type="button"
            className="danger"
            disabled={busy}
            // The question takes the place of the buttons: the focus goes to its answer.
            autoFocus
            onClick={() => run(() => actions.remove(member.peerId).finally(() => setConfirming(false)))}
          >
            Yes, remove
          </button>
          <button type="button" disabled={busy} onClick={() => setConfirming(false)}>
            Keep
          </button>
        </span>
      ) : null}
      <ErrorAlert error={error} as="span" className="member-error" />
    </li>
  );
}

export function StageRoster({ members, me, myPeerId, actions }: { members: readonly RosterMember[]; me: StageRole | 'listener'; myPeerId: string | null; actions: RosterActions }) {
  const sorted = [...members].sort((a, b) => RANK[b.role] - RANK[a.role]);
  return (
    <section className="roster" aria-labelledby="roster-heading">
      <h3 id="roster-heading">
        On stage <span className="count">{members.length}</span>
      </h3>
      <ul>
        {sorted.map((member) => (
          <Member key={member.peerId} member={member} me={me} myPeerId={myPeerId} actions={actions} />
        ))}
      </ul>
    </section>
  );
}
