/**
 * Choosing a premiere's audio file through the app's open dialog (renderer/lib/open-audio-file.ts;
 * in browser mode the page's own file input). Its bytes can be read again (a queued premiere is
 * played more than once): each read is a copy.
 */
import { openAudioThroughApp } from '../../../../lib/open-audio-file.ts';

export type OpenedTrack = { name: string; bytes: () => Promise<ArrayBuffer> };

/** The chosen file, null when cancelled, or 'use-file-input' when the page must pick it itself. */
export async function openTrackThroughApp(): Promise<OpenedTrack | null | 'use-file-input'> {
  const opened = await openAudioThroughApp();
  if (!opened || opened === 'use-file-input') return opened;
  const copy = opened.bytes;
  return { name: opened.name, bytes: async () => copy.slice(0) };
}
