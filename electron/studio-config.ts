/** The studio's settings from environment variables, validated once. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);

const schema = z
  .object({
    SPACECRAFT_SERVER_URL: z.url().optional(),
    SPACECRAFT_STUDIO_TOKEN: z.string().min(16).optional(),
    SPACECRAFT_SERVER_PORT: port.default(4400),
    SPACECRAFT_BRIDGE_PORT: port.default(4401),
    SPACECRAFT_DATA_DIR: z.string().min(1).optional(),
    SPACECRAFT_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .refine((e) => !e.SPACECRAFT_SERVER_URL || e.SPACECRAFT_STUDIO_TOKEN, {
    message: 'a remote server (SPACECRAFT_SERVER_URL) needs its SPACECRAFT_STUDIO_TOKEN',
    path: ['SPACECRAFT_STUDIO_TOKEN'],
  });

export type StudioConfig = {
  remote: { url: string; studioToken: string } | null;
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
    remote: e.SPACECRAFT_SERVER_URL ? { url: e.SPACECRAFT_SERVER_URL.replace(/\/$/, ''), studioToken: e.SPACECRAFT_STUDIO_TOKEN! } : null,
    serverPort: e.SPACECRAFT_SERVER_PORT,
    bridgePort: e.SPACECRAFT_BRIDGE_PORT,
    dataDir: e.SPACECRAFT_DATA_DIR ?? defaultDataDir,
    logLevel: e.SPACECRAFT_LOG_LEVEL,
  };
}
