/**
 * Opening an audio file for the track player in the app: the host picks it in
 * a native dialog (Electron's, behind a small interface, so this module runs
 * under Node in tests), and main reads it, bounded in size, and hands the
 * bytes to the renderer. Browser mode has no dialog here: its page uses a
 * file input, and this method answers UNAVAILABLE.
 */
import { open } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { SpacecraftError, ValidationError } from '../server/errors.ts';
import { AUDIO_FILE_EXTENSIONS, MAX_AUDIO_FILE_BYTES, type OpenedAudio } from './contract.ts';

/** A native "open file" dialog: the chosen path, or null when the host cancels. */
export interface AudioFileDialog {
  choose(extensions: readonly string[]): Promise<string | null>;
}

/** Reads a chosen audio file: a regular file, with an audio extension, no larger than `maxBytes`. */
export async function readAudioFile(path: string, maxBytes = MAX_AUDIO_FILE_BYTES): Promise<OpenedAudio> {
  const name = basename(path);
  if (!AUDIO_FILE_EXTENSIONS.includes(extname(path).slice(1).toLowerCase())) {
    throw new ValidationError(`${name} is not an audio file (${AUDIO_FILE_EXTENSIONS.join(', ')}).`);
  }
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    throw new SpacecraftError('NOT_FOUND', `${name} cannot be opened.`);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new ValidationError(`${name} is not a file.`);
    if (stat.size > maxBytes) throw new SpacecraftError('LIMIT_EXCEEDED', `${name} is larger than ${Math.round(maxBytes / 1024 / 1024)} MB.`);
    // Read at most one byte past the limit, so a file that grows while it is read is still refused.
    const buffer = Buffer.alloc(Math.min(maxBytes + 1, stat.size + 1));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > maxBytes) throw new SpacecraftError('LIMIT_EXCEEDED', `${name} is larger than ${Math.round(maxBytes / 1024 / 1024)} MB.`);
    return { name: name.slice(0, 255), bytes: new Uint8Array(buffer.buffer, buffer.byteOffset, bytesRead) };
  } catch (error) {
    if (error instanceof SpacecraftError) throw error;
    throw new SpacecraftError('UNAVAILABLE', `${name} could not be read.`);
  } finally {
    await handle.close();
  }
}

/** The handler of 'studio:files:openAudio': null when the host cancels. */
export function openAudioFile(dialog: AudioFileDialog | null, maxBytes = MAX_AUDIO_FILE_BYTES): () => Promise<OpenedAudio | null> {
  return async () => {
    if (!dialog) throw new SpacecraftError('UNAVAILABLE', 'Files are opened with the page’s file picker here.');
    const path = await dialog.choose(AUDIO_FILE_EXTENSIONS);
    return path === null ? null : readAudioFile(path, maxBytes);
  };
}
