/**
 * Choosing a premiere's audio file: in the app, main's open dialog reads it
 * (bounded, electron/audio-files.ts); in browser mode (UNAVAILABLE) the page's
 * own file input is used, from then on.
 */
import { StudioError } from '../../../../../electron/contract.ts';

export type OpenedTrack = { name: string; bytes: () => Promise<ArrayBuffer> };

let appDialog = true;

/** The chosen file, null when cancelled, or 'use-file-input' when the page must pick it itself. */
export async function openTrackThroughApp(): Promise<OpenedTrack | null | 'use-file-input'> {
  if (!appDialog) return 'use-file-input';
  try {
    const opened = await window.studio.files.openAudio();
    if (!opened) return null;
    const { bytes } = opened;
    const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    return { name: opened.name, bytes: async () => copy.slice(0) };
  } catch (error) {
    if (error instanceof StudioError && error.code === 'UNAVAILABLE') {
      appDialog = false;
      return 'use-file-input';
    }
    throw error;
  }
}
