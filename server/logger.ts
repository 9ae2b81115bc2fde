/** pino, structured; one child logger per module (`logger.child({ module })`). */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({ level, base: { app: 'spacecraft-server' } });
}
