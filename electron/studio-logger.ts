/** The studio's pino logger: secrets (session tokens, passwords, the bridge key) are redacted wherever they sit in a log object. */
import { pino, type DestinationStream, type Logger } from 'pino';

const SECRET_FIELDS = ['token', 'sessionToken', 'key', 'authorization', 'password'];

export const REDACTED_PATHS = SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]);

export function createStudioLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, base: { app: 'spacecraft-studio' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
