/** A real server in this process (real mediasoup workers) on free loopback ports. */
import { pino } from 'pino';
import { loadConfig, type ServerConfig } from '../../server/config.ts';
import { DEMO_CREATOR, DEMO_PASSWORD } from '../../server/db/seed.ts';
import { startServer, type RunningServer } from '../../server/server.ts';

export type TestServer = RunningServer & {
  config: ServerConfig;
  /** A session token of the demo creator, who has enough followers to host (sign in over the socket with it). */
  hostToken: string;
};

/**
 * Starts a server with the demo accounts (SPACECRAFT_DEMO_DATA) and signs the demo creator in.
 * An in-memory database unless a test names a data folder (or a DATABASE_URL).
 */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const config = loadConfig({ SPACECRAFT_PORT: '0', SPACECRAFT_WORKERS: '1', SPACECRAFT_DATA_DIR: 'memory://', SPACECRAFT_DEMO_DATA: 'true', ...env });
  const server = await startServer(config, pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' }));
  let hostToken = '';
  if (config.accounts.demoData) {
    try {
      hostToken = await signIn(server.url, DEMO_CREATOR.handle, DEMO_PASSWORD);
    } catch (error) {
      await server.close();
      throw error;
    }
  }
  return { ...server, config, hostToken };
}

/** Signs an account in over HTTP and returns its session token. */
export async function signIn(serverUrl: string, handle: string, password: string): Promise<string> {
  const response = await fetch(`${serverUrl}/api/accounts/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ handle, password }),
  });
  if (response.status !== 201) throw new Error(`sign-in as @${handle} failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

export function wsUrl(httpUrl: string): string {
  return `${httpUrl.replace(/^http/, 'ws')}/ws`;
}
