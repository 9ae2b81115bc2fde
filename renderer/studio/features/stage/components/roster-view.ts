/** From the server's stage and `speaking` notification to the studio's roster rows. Pure. */
import type { StageMember } from '../../../../../server/signalling/protocol.ts';
import type { RosterMember } from './stage-roster.tsx';

export function rosterOf(stage: readonly StageMember[], speakingProducerIds: readonly string[]): RosterMember[] {
  const speaking = new Set(speakingProducerIds);
  return stage.map((m) => ({
    peerId: m.peerId,
    displayName: m.displayName,
    handle: m.handle,
    role: m.role,
    muted: m.muted,
    mutedByHost: m.mutedByHost,
    speaking: m.producerId !== null && speaking.has(m.producerId),
  }));
}
