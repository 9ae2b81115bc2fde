/** A real server in this process (real mediasoup workers) on free loopback ports. */
import { pino } from 'pino';
import { loadConfig, type ServerConfig } from '../../server/config.ts';
import { startServer, type RunningServer } from '../../server/server.ts';

export const TEST_STUDIO_TOKEN = 'test-studio-token-0123456789';

export async function startTestServer(env: Record<string, string> = {}): Promise<RunningServer & { config: ServerConfig }> {
  // An in-memory database unless a test names a data folder (or a DATABASE_URL).
  const config = loadConfig({ SPACECRAFT_PORT: '0', SPACECRAFT_WORKERS: '1', SPACECRAFT_STUDIO_TOKEN: TEST_STUDIO_TOKEN, SPACECRAFT_DATA_DIR: 'memory://', ...env });
  const server = await startServer(config, pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' }));
  return { ...server, config };
}

export function wsUrl(httpUrl: string): string {
  return `${httpUrl.replace(/^http/, 'ws')}/ws`;
}
