/**
 * Environment fields that more than one process reads (the server and the
 * studio), declared once. Pure zod: the studio may import this module.
 */
import { z } from 'zod';

export const portField = z.coerce.number().int().min(0).max(65535);

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const logLevelField = z.enum(LOG_LEVELS);
export type LogLevel = z.infer<typeof logLevelField>;
