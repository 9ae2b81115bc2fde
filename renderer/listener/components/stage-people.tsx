/**
 * Who is on stage, as the listener page shows it: host first, then co-hosts and
 * speakers; who is speaking right now is highlighted (and said in words for
 * screen readers), who is muted says so, and the listener's own seat says "you".
 */
import type { ReactNode } from 'react';
import type { StagePerson } from '../../lib/stage-people.ts';

export type StageRoleName = 'host' | 'cohost' | 'speaker';

/** One person on stage (the shape of the protocol's stage member, plus whether they speak now). */
export type { StagePerson };

export const ROLE_LABEL: Record<StageRoleName | 'listener', string> = { host: 'Host', cohost: 'Co-host', speaker: 'Speaker', listener: 'Listener' };
const ORDER: Record<StageRoleName, number> = { host: 0, cohost: 1, speaker: 2 };

export function initials(name: string): string {
  // Words that start with a letter or digit: "Ada (demo)" is "AD", not "A(".
  const words = name.trim().split(/\s+/).map((w) => w.replace(/^[^\p{L}\p{N}]+/u, '')).filter(Boolean);
  const letters = words.length > 1 ? [words[0]!, words[words.length - 1]!] : words.slice(0, 1);
  return letters.map((w) => [...w][0]!.toUpperCase()).join('') || '?';
}

export function byStageOrder<T extends { role: StageRoleName }>(people: readonly T[]): T[] {
  return [...people].sort((a, b) => ORDER[a.role] - ORDER[b.role]);
}

/** A crossed-out microphone. */
function MicOff() {
  return (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" strokeLinejoin="round">
      <path d="M9 9v3a3 3 0 0 0 5.1 2.1M15 9.3V5a3 3 0 0 0-5.9-.6" />
      <path d="M19 11a7 7 0 0 1-1.2 3.9M5 11a7 7 0 0 0 11.3 5.5M12 18v3M3 3l18 18" />
    </svg>
  );
}

function status(person: StagePerson): ReactNode {
  if (person.mutedByHost) return 'muted by the host';
  if (person.muted) return 'muted';
  if (person.speaking) return 'speaking';
  return null;
}

export function StagePeople({ people, myPeerId }: { people: readonly StagePerson[]; myPeerId: string | null }) {
  if (people.length === 0) return null;
  return (
    <section className="stage-people" aria-label="On stage">
      <ul>
        {byStageOrder(people).map((person) => {
          const said = status(person);
          return (
            <li key={person.peerId} className="person" data-peer={person.peerId} data-speaking={person.speaking && !person.muted} data-muted={person.muted}>
              <span className="avatar" aria-hidden="true">
                {initials(person.displayName)}
              </span>
              <span className="who">
                <span className="name">{person.displayName}</span>
                <span className="role">
                  {ROLE_LABEL[person.role]}
                  {person.peerId === myPeerId ? ' (you)' : null}
                  {said ? <span className="person-status"> · {said}</span> : null}
                </span>
              </span>
              {person.muted ? (
                <span className="mic-off" aria-hidden="true" title="Muted">
                  <MicOff />
                </span>
              ) : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
