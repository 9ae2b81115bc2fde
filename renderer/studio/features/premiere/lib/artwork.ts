/**
 * Artwork for a premiere track: any image the browser decodes, drawn at most
 * 256 px on its longer side and encoded as JPEG, its quality lowered until the
 * data: URL fits what the server takes (ARTWORK_MAX_CHARS).
 */
import { ARTWORK_MAX_CHARS, artworkSchema } from '../../../../../server/signalling/protocol.ts';

export const ARTWORK_PX = 256;
/** The largest image file read. */
export const MAX_IMAGE_FILE_BYTES = 25 * 1024 * 1024;
const QUALITIES = [0.86, 0.76, 0.64, 0.5, 0.36, 0.24];

export class ArtworkError extends Error {
  override readonly name = 'ArtworkError';
}

/** The size an image of `width` × `height` is drawn at: its longer side at most ARTWORK_PX, never enlarged. */
export function fitSize(width: number, height: number, max = ARTWORK_PX): { width: number; height: number } {
  const scale = Math.min(1, max / Math.max(width, height, 1));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

export async function artworkFromImage(file: Blob): Promise<string> {
  if (file.size > MAX_IMAGE_FILE_BYTES) throw new ArtworkError(`That image is larger than ${MAX_IMAGE_FILE_BYTES / 1024 / 1024} MB.`);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new ArtworkError('That file is not an image this studio can read.');
  }
  const { width, height } = fitSize(bitmap.width, bitmap.height);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) throw new ArtworkError('This studio cannot draw images here.');
  context.imageSmoothingQuality = 'high';
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  for (const quality of QUALITIES) {
    const url = canvas.toDataURL('image/jpeg', quality);
    if (url.length <= ARTWORK_MAX_CHARS && artworkSchema.safeParse(url).success) return url;
  }
  throw new ArtworkError('That image does not fit in a small enough JPEG; try a simpler one.');
}
