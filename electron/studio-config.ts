/**
 * The studio's settings from environment variables, validated once. A remote
 * server needs only its URL (the studio signs in there with an account), and is
 * reached over https (passwords and session tokens travel to it), unless it is
 * on this machine.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { logLevelField, portField as port } from '../server/config-fields.ts';
import { isLoopbackHost } from './window-security.ts';

const serverUrl = z.url().refine(
  (value) => {
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
  },
  { message: 'a remote server must be reached over https:// (http:// only on this machine: localhost, 127.0.0.1, [::1])' },
);

const schema = z.object({
  SPACECRAFT_SERVER_URL: serverUrl.optional(),
  SPACECRAFT_SERVER_PORT: port.default(4400),
  SPACECRAFT_BRIDGE_PORT: port.default(4401),
  SPACECRAFT_DATA_DIR: z.string().min(1).optional(),
  SPACECRAFT_LOG_LEVEL: logLevelField.default('info'),
});

export type StudioConfig = {
  remote: { url: string } | null;
  serverPort: number;
  bridgePort: number;
  dataDir: string;
  logLevel: string;
};

export function loadStudioConfig(env: NodeJS.ProcessEnv = process.env, defaultDataDir = join(homedir(), '.spacecraft')): StudioConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`Invalid studio configuration:\n  ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n  ')}`);
  }
  const e = parsed.data;
  return {
    remote: e.SPACECRAFT_SERVER_URL ? { url: e.SPACECRAFT_SERVER_URL.replace(/\/$/, '') } : null,
    serverPort: e.SPACECRAFT_SERVER_PORT,
    bridgePort: e.SPACECRAFT_BRIDGE_PORT,
    dataDir: e.SPACECRAFT_DATA_DIR ?? defaultDataDir,
    logLevel: e.SPACECRAFT_LOG_LEVEL,
  };
}
