/**
 * From what the server says (the stage in `spaceState`, `yourRole`, `speaking`)
 * to what the listener page shows: the listener's own part (the people on stage
 * with who is speaking come from renderer/lib/stage-people.ts). Pure, so each rule is tested on its own.
 */
import type { StageMember, YourRole } from '../../server/signalling/protocol.ts';
import type { MyPart } from './components/speak-controls.tsx';

/** My seat on the stage, if I have one. */
export function mySeat(stage: readonly StageMember[], you: YourRole | null): StageMember | null {
  return (you && stage.find((m) => m.peerId === you.peerId)) ?? null;
}

/**
 * My part: my role and request, and my microphone once it is published
 * (`publishing`). Accepted but not yet publishing is the green room.
 */
export function myPart(input: { stage: readonly StageMember[]; you: YourRole | null; signedIn: boolean; publishing: boolean }): { part: MyPart; inGreenRoom: boolean } {
  const role = input.you?.role ?? 'listener';
  const seat = mySeat(input.stage, input.you);
  const onStage = role !== 'listener';
  const mic = onStage && input.publishing && seat ? { muted: seat.muted, mutedByHost: seat.mutedByHost } : null;
  return {
    part: { role, signedIn: input.signedIn, requestPending: input.you?.requestPending ?? false, mic },
    inGreenRoom: onStage && !input.publishing,
  };
}
