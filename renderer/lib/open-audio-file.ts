/**
 * Opening an audio file (the mixer's track, a premiere's audio): in the app, main's open dialog
 * reads the file (bounded, see electron/audio-files.ts); where there is none (browser mode answers
 * UNAVAILABLE) the page's own file input is the way, and is used from then on.
 */
import { StudioError } from '../../electron/contract.ts';

export type OpenedAudio = { name: string; bytes: ArrayBuffer };

let appDialog = true;

/** The chosen file (its bytes a copy of their own), null when cancelled, or 'use-file-input' when the page must pick it itself. */
export async function openAudioThroughApp(): Promise<OpenedAudio | null | 'use-file-input'> {
  if (!appDialog) return 'use-file-input';
  try {
    const opened = await window.studio.files.openAudio();
    if (!opened) return null;
    const { bytes } = opened;
    return { name: opened.name, bytes: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer };
  } catch (error) {
    if (error instanceof StudioError && error.code === 'UNAVAILABLE') {
      appDialog = false;
      return 'use-file-input';
    }
    throw error;
  }
}
