/**
 * From the server's stage and its `speaking` notification (producer ids) to the
 * people on stage as both the listener page and the studio show them. Pure.
 */
import type { StageMember } from '../../server/signalling/protocol.ts';

/** One person on stage: the protocol's stage member without ids of the media, plus whether they speak now. */
export type StagePerson = {
  peerId: string;
  displayName: string;
  handle: string | null;
  role: StageMember['role'];
  muted: boolean;
  mutedByHost: boolean;
  speaking: boolean;
};

/** The stage with each person's speaking state: speaking when their producer is among the speaking ones. */
export function stagePeople(stage: readonly StageMember[], speakingProducerIds: readonly string[]): StagePerson[] {
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
