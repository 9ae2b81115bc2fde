/** pino, structured; one child logger per module (`logger.child({ module })`). */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return destination ? pino({ level, base: { app: 'spacecraft-server' } }, destination) : pino({ level, base: { app: 'spacecraft-server' } });
}
