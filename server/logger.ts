/**
 * pino, structured; one child logger per module (`logger.child({ module })`).
 * Secrets are redacted wherever they sit in a log object (up to three levels
 * deep, e.g. a signalling request's `data.sessionToken` or a sign-in's `body.password`).
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

const SECRET_FIELDS = ['token', 'sessionToken', 'authorization', 'password'];

export const REDACTED_PATHS = SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]);

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, base: { app: 'spacecraft-server' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
