/**
 * The whole studio without Electron: settings in a `conf` file, the bundled
 * server as a forked child under the supervisor, and the bridge serving the UI.
 * `npm start` uses this where the Electron binary is missing; so do the tests.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Conf from 'conf';
import { pino, type Logger } from 'pino';
import { forkServer } from '../fork-server.ts';
import { ServerSupervisor } from '../server-supervisor.ts';
import { KeyValueSettingsStore, MemorySettingsStore, type KeyValueStore } from '../settings/settings-store.ts';
import type { StudioConfig } from '../studio-config.ts';
import { createStudioServices } from '../studio-services.ts';
import { startBridge } from './bridge.ts';

export const RENDERER_DIR = fileURLToPath(new URL('../../out/renderer', import.meta.url));

export type BrowserStudio = { url: string; supervisor: ServerSupervisor | null; close(): Promise<void> };

export async function startBrowserStudio(
  config: StudioConfig,
  options: { logger?: Logger; inMemorySettings?: boolean; serverEnv?: Record<string, string> } = {},
): Promise<BrowserStudio> {
  const logger = options.logger ?? pino({ level: config.logLevel, base: { app: 'spacecraft-studio' } });
  const settings = options.inMemorySettings
    ? new MemorySettingsStore()
    : new KeyValueSettingsStore(new Conf({ projectName: 'spacecraft', cwd: config.dataDir }) as unknown as KeyValueStore);
  const supervisor = config.remote
    ? null
    : new ServerSupervisor({
        spawn: forkServer({ logFile: join(config.dataDir, 'logs', 'server.log') }),
        port: config.serverPort,
        env: options.serverEnv ?? {},
        logger: logger.child({ module: 'supervisor' }),
      });
  await supervisor?.start();
  const services = createStudioServices({ settings, supervisor, remote: config.remote });
  try {
    const bridge = await startBridge({ services, rendererDir: RENDERER_DIR, port: config.bridgePort, logger });
    return {
      url: bridge.url,
      supervisor,
      close: async () => {
        await bridge.close();
        await supervisor?.stop();
      },
    };
  } catch (error) {
    await supervisor?.stop();
    throw error;
  }
}
