/**
 * Entry of the Spacecraft server: `npm run server`, or a child of the studio
 * (child_process.fork in browser mode, utilityProcess in Electron). A parent
 * is told `{ type: 'listening', url, port }` once the server is up, and can
 * ask `{ type: 'shutdown' }`; SIGTERM/SIGINT shut it down gracefully too.
 */
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { startServer } from './server.ts';

type ParentMessage = { type: 'listening'; url: string; port: number; studioToken: string } | { type: 'failed'; message: string };
type ParentPort = { postMessage(message: unknown): void; on(event: 'message', listener: (event: { data: unknown }) => void): void };

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function tellParent(message: ParentMessage): void {
  if (process.send) process.send(message);
  else parentPort?.postMessage(message);
}

function onParentMessage(listener: (message: unknown) => void): void {
  if (process.send) process.on('message', listener);
  else parentPort?.on('message', (event) => listener(event.data));
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      tellParent({ type: 'failed', message: error.message });
      process.exit(78);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const server = await startServer(config, logger);
  if (config.studioTokenGenerated && !process.send && !parentPort) {
    logger.info({ studioToken: config.studioToken }, 'studio token generated for this run (set SPACECRAFT_STUDIO_TOKEN to fix it)');
  }
  tellParent({ type: 'listening', url: server.url, port: server.port, studioToken: config.studioToken });

  const shutdown = (why: string) => {
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
  process.once('disconnect', () => shutdown('parent gone'));
  onParentMessage((message) => {
    if ((message as { type?: unknown })?.type === 'shutdown') shutdown('asked by parent');
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`Spacecraft server failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  tellParent({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
