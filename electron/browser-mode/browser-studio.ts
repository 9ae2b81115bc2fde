/**
 * The whole studio without Electron: settings in a `conf` file, the bundled
 * server as a forked child under the supervisor, and the bridge serving the UI.
 * `npm start` uses this where the Electron binary is missing; so do the tests.
 *
 * The bridge listens first: the bundled server must know the bridge's origin
 * (SPACECRAFT_ALLOWED_ORIGINS) to let the studio page's signalling in. The
 * bundled server has the demo accounts on a first run (../demo-data.ts).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { bundledDemoData, demoDataOn } from '../demo-data.ts';
import { forkServer } from '../fork-server.ts';
import type { LogRotation } from '../server-child.ts';
import { ServerSupervisor } from '../server-supervisor.ts';
import { confSettingsStore, MemorySettingsStore } from '../settings/settings-store.ts';
import type { StudioConfig } from '../studio-config.ts';
import { createStudioLogger } from '../studio-logger.ts';
import { createStudioServices } from '../studio-services.ts';
import { StripeKeysStore } from '../stripe-keys-store.ts';
import { startBridge } from './bridge.ts';

export const RENDERER_DIR = fileURLToPath(new URL('../../out/renderer', import.meta.url));

export type BrowserStudio = {
  /** The URL to open, with the bridge's per-run key. */
  url: string;
  /** The bridge's origin (what the studio page sends as Origin). */
  origin: string;
  supervisor: ServerSupervisor | null;
  /** Whether the bundled server was started with the demo accounts (server/db/seed.ts). */
  demoData: boolean;
  close(): Promise<void>;
};

export async function startBrowserStudio(
  config: StudioConfig,
  options: { logger?: Logger; inMemorySettings?: boolean; serverEnv?: Record<string, string>; serverLog?: LogRotation; /** The studio page's files (a bench measuring an older build); out/renderer by default. */ rendererDir?: string } = {},
): Promise<BrowserStudio> {
  const logger = options.logger ?? createStudioLogger(config.logLevel);
  const settings = options.inMemorySettings
    ? new MemorySettingsStore()
    : confSettingsStore(config.dataDir);
  // The server's database lives in the studio's data folder unless the caller says otherwise.
  const serverDataDir = options.serverEnv?.['SPACECRAFT_DATA_DIR'] ?? config.dataDir;
  const demoData = config.remote ? 'false' : (options.serverEnv?.['SPACECRAFT_DEMO_DATA'] ?? bundledDemoData(process.env, serverDataDir));
  const bridge = await startBridge({ rendererDir: options.rendererDir ?? RENDERER_DIR, port: config.bridgePort, logger });
  // The Stripe keys saved in the studio: the server child gets the file's path, never the keys.
  const stripeKeys = new StripeKeysStore(config.dataDir);
  const supervisor = config.remote
    ? null
    : new ServerSupervisor({
        spawn: forkServer({ logFile: join(config.dataDir, 'logs', 'server.log'), ...(options.serverLog ? { rotation: options.serverLog } : {}) }),
        port: config.serverPort,
        env: {
          ...options.serverEnv,
          SPACECRAFT_DATA_DIR: serverDataDir,
          SPACECRAFT_DEMO_DATA: demoData,
          SPACECRAFT_ALLOWED_ORIGINS: allowedOrigins(options.serverEnv?.['SPACECRAFT_ALLOWED_ORIGINS'], bridge.origin),
        },
        launchEnv: () => stripeKeys.serverEnv(),
        logger: logger.child({ module: 'supervisor' }),
      });
  bridge.serve(createStudioServices({ settings, supervisor, remote: config.remote, stripeKeys }));
  try {
    await supervisor?.start();
  } catch (error) {
    await supervisor?.stop();
    await bridge.close();
    throw error;
  }
  return {
    url: bridge.url,
    origin: bridge.origin,
    supervisor,
    demoData: demoDataOn(demoData),
    close: async () => {
      await bridge.close();
      await supervisor?.stop();
    },
  };
}

/** The studio's own origin added to any the caller configured. */
export function allowedOrigins(configured: string | undefined, own: string): string {
  const origins = (configured ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  return [...new Set([own, ...origins])].join(',');
}
