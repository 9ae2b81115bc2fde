/** The caption editor for the live Space the studio hosts or co-hosts (kept after it ends, for the transcript). */
import type { CaptionLink } from '../lib/caption-desk.ts';
import { useCaptionDesk } from '../lib/use-caption-desk.ts';
import { CaptionEditor } from './caption-editor.tsx';

export type CaptionSession = CaptionLink & { readonly snapshot: { space: { spaceId: string } } };

export function CaptionsPanel({ live }: { live: CaptionSession | null }) {
  const desk = useCaptionDesk(live);
  if (!live || !desk) return null;
  return <CaptionEditor desk={desk} spaceId={live.snapshot.space.spaceId} />;
}
