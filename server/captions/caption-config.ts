/**
 * Live captions' settings, from the environment (merged into server/config.ts):
 *
 *   SPACECRAFT_CAPTION_ENGINE       the engine's command line (any recogniser speaking the engine
 *                                   protocol of caption-engine.ts); default: the PocketSphinx helper
 *                                   built at set-up (SPACECRAFT_CAPTION_ENGINE_BIN). "off" runs none.
 *   SPACECRAFT_CAPTION_HOLD_BACK_MS the hold-back a Space starts with (0–10000, default 2000)
 *
 * Without an engine the server runs no captions and says so (UNAVAILABLE); Spaces go on.
 */
import { z } from 'zod';
import { HOLD_BACK_DEFAULT_MS, HOLD_BACK_MAX_MS, HOLD_BACK_MIN_MS } from '../domain/captions.ts';
import { splitCommandLine } from './caption-engine.ts';

export const captionEnvFields = {
  SPACECRAFT_CAPTION_ENGINE: z.string().trim().min(1).max(4096).optional(),
  SPACECRAFT_CAPTION_ENGINE_BIN: z.string().trim().min(1).max(4096).optional(),
  SPACECRAFT_CAPTION_HOLD_BACK_MS: z.coerce.number().int().min(HOLD_BACK_MIN_MS).max(HOLD_BACK_MAX_MS).default(HOLD_BACK_DEFAULT_MS),
};

export type CaptionConfig = {
  /** The engine's argv; null: captions are off on this server. */
  engineCommand: string[] | null;
  holdBackMs: number;
};

/** The captions' settings, or the problems with them (for the config error that lists every bad key). */
export function captionConfig(e: { SPACECRAFT_CAPTION_ENGINE?: string | undefined; SPACECRAFT_CAPTION_ENGINE_BIN?: string | undefined; SPACECRAFT_CAPTION_HOLD_BACK_MS: number }): {
  config: CaptionConfig;
  problems: string[];
} {
  const line = e.SPACECRAFT_CAPTION_ENGINE;
  let engineCommand: string[] | null = null;
  const problems: string[] = [];
  if (line && line !== 'off') {
    try {
      engineCommand = splitCommandLine(line);
    } catch (error) {
      problems.push(`SPACECRAFT_CAPTION_ENGINE: ${(error as Error).message}`);
    }
  } else if (!line && e.SPACECRAFT_CAPTION_ENGINE_BIN) engineCommand = [e.SPACECRAFT_CAPTION_ENGINE_BIN];
  return { config: { engineCommand: engineCommand && engineCommand.length > 0 ? engineCommand : null, holdBackMs: e.SPACECRAFT_CAPTION_HOLD_BACK_MS }, problems };
}
