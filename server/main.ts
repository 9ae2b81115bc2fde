/**
 * Entry of the Spacecraft server: `npm run server`, or a child of the studio
 * (child_process.fork in browser mode, utilityProcess in Electron).
 *
 * As a child it first asks its parent for its configuration
 * (`{ type: 'awaiting-configuration' }` → `{ type: 'configure', studioToken }`):
 * the studio token travels over the IPC channel, never in the environment that
 * the mediasoup worker processes inherit. The parent is then told
 * `{ type: 'listening', url, port }` once the server is up, and can ask
 * `{ type: 'shutdown' }`; SIGTERM/SIGINT shut it down gracefully too.
 */
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { startServer } from './server.ts';

type ChildMessage = { type: 'awaiting-configuration' } | { type: 'listening'; url: string; port: number } | { type: 'failed'; message: string };
type ParentPort = { postMessage(message: unknown): void; on(event: 'message', listener: (event: { data: unknown }) => void): void };

/** How long a child waits for its parent's configuration (SPACECRAFT_CONFIGURE_TIMEOUT_MS, for tests). */
const CONFIGURE_TIMEOUT_MS = Number(process.env['SPACECRAFT_CONFIGURE_TIMEOUT_MS']) || 10_000;
const EXIT_CONFIG = 78;

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
const hasParent = Boolean(process.send) || Boolean(parentPort);

function tellParent(message: ChildMessage): void {
  if (process.send) process.send(message);
  else parentPort?.postMessage(message);
}

const parentListeners = new Set<(message: unknown) => void>();
// Listen from the very start, so no message from the parent is missed.
if (process.send) process.on('message', (message) => parentListeners.forEach((l) => l(message)));
else parentPort?.on('message', (event) => parentListeners.forEach((l) => l(event.data)));

function onParentMessage(listener: (message: unknown) => void): () => void {
  parentListeners.add(listener);
  return () => parentListeners.delete(listener);
}

function failConfig(message: string): never {
  process.stderr.write(`${message}\n`);
  tellParent({ type: 'failed', message });
  process.exit(EXIT_CONFIG);
}

/** The studio token from the parent, over IPC. */
function awaitStudioToken(): Promise<string> {
  return new Promise((resolve) => {
    const timer = setTimeout(
      () => failConfig(`Spacecraft server: the studio did not send its configuration within ${CONFIGURE_TIMEOUT_MS} ms.`),
      CONFIGURE_TIMEOUT_MS,
    );
    const stop = onParentMessage((message) => {
      const m = message as { type?: unknown; studioToken?: unknown } | null;
      if (m?.type === 'shutdown') process.exit(0);
      if (m?.type !== 'configure') return;
      clearTimeout(timer);
      stop();
      if (typeof m.studioToken !== 'string') failConfig('Spacecraft server: the studio sent a configuration without a studio token.');
      resolve(m.studioToken);
    });
    tellParent({ type: 'awaiting-configuration' });
  });
}

async function main(): Promise<void> {
  const env = hasParent ? { ...process.env, SPACECRAFT_STUDIO_TOKEN: await awaitStudioToken() } : process.env;
  let config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) failConfig(error.message);
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const server = await startServer(config, logger);
  if (config.studioTokenGenerated) {
    // The token is never logged; an operator at a terminal sees it once.
    if (process.stdout.isTTY) process.stdout.write(`Studio token for this run: ${config.studioToken}\n(set SPACECRAFT_STUDIO_TOKEN to fix it)\n`);
    else logger.warn('studio token generated for this run and not shown; set SPACECRAFT_STUDIO_TOKEN to choose one');
  }
  tellParent({ type: 'listening', url: server.url, port: server.port });

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
