/**
 * Entry of the Spacecraft server: `npm run server`, or a child of the studio
 * (child_process.fork in browser mode, utilityProcess in Electron).
 *
 * Everything it needs is in its environment (no secrets: the mediasoup worker
 * processes inherit it; hosting goes by signed-in accounts). As a child it
 * tells its parent `{ type: 'listening', url, port }` once the server is up
 * (or `{ type: 'failed', message }`), and the parent can ask
 * `{ type: 'shutdown' }` at any time; SIGTERM/SIGINT shut it down gracefully too.
 */
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { startServer } from './server.ts';

type ChildMessage = { type: 'listening'; url: string; port: number } | { type: 'failed'; message: string };
type ParentPort = { postMessage(message: unknown): void; on(event: 'message', listener: (event: { data: unknown }) => void): void };

const EXIT_CONFIG = 78;

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function tellParent(message: ChildMessage): void {
  // A parent that went away is told nothing (sending on a closed channel would throw).
  if (process.send) {
    if (process.connected) process.send(message);
  } else parentPort?.postMessage(message);
}

/**
 * What to do when the parent asks for a shutdown or goes away. While the server starts, the reason
 * is remembered (the database may be mid-migration) and the server closes as soon as it is up;
 * after that, a graceful close at once.
 */
let shutdownAsked: string | null = null;
let onShutdown: (why: string) => void = (why) => (shutdownAsked ??= why);
const fromParent = (message: unknown) => {
  if ((message as { type?: unknown } | null)?.type === 'shutdown') onShutdown('asked by parent');
};
// Listen from the very start, so a shutdown asked (or a parent lost) while the server starts is not missed.
if (process.send) process.on('message', fromParent);
else parentPort?.on('message', (event) => fromParent(event.data));
process.once('disconnect', () => onShutdown('parent gone'));

function failConfig(message: string): never {
  process.stderr.write(`${message}\n`);
  tellParent({ type: 'failed', message });
  process.exit(EXIT_CONFIG);
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) failConfig(error.message);
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const server = await startServer(config, logger);
  tellParent({ type: 'listening', url: server.url, port: server.port });

  let closing = false;
  const shutdown = (why: string) => {
    if (closing) return;
    closing = true;
    logger.info({ why }, 'shutting down');
    const timer = setTimeout(() => process.exit(1), 5000);
    timer.unref();
    void server.close().then(() => process.exit(0), (error: unknown) => {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  onShutdown = shutdown;
  if (shutdownAsked) shutdown(`${shutdownAsked} while starting`);
}

main().catch((error: unknown) => {
  process.stderr.write(`Spacecraft server failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  tellParent({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
