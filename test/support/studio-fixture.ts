/** The whole studio in browser mode on free loopback ports, for tests and benchmarks. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startBrowserStudio, type BrowserStudio } from '../../electron/browser-mode/browser-studio.ts';

export function startTestStudio(serverEnv: Record<string, string> = {}): Promise<BrowserStudio> {
  const dataDir = mkdtempSync(join(tmpdir(), 'spacecraft-studio-'));
  return startBrowserStudio(
    { remote: null, serverPort: 0, bridgePort: 0, dataDir, logLevel: 'warn' },
    { logger: pino({ level: 'warn' }), inMemorySettings: true, serverEnv: { SPACECRAFT_LOG_LEVEL: 'warn', SPACECRAFT_DATA_DIR: 'memory://', ...serverEnv } },
  );
}
