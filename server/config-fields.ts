/**
 * Environment fields that more than one process reads (the server and the
 * studio), declared once. Pure zod: the studio may import this module.
 */
import { z } from 'zod';

export const portField = z.coerce.number().int().min(0).max(65535);

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const logLevelField = z.enum(LOG_LEVELS);
export type LogLevel = z.infer<typeof logLevelField>;

/**
 * The origin of the desktop studio's own page (a privileged `app://` scheme in
 * Electron). No web page can have it, so every server lets it in by default.
 */
export const STUDIO_APP_ORIGIN = 'app://studio';
