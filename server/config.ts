/**
 * Every server setting, from environment variables, validated once with zod.
 * A bad value stops the server at start with every bad key listed.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { logLevelField, portField as port } from './config-fields.ts';

const schema = z.object({
  SPACECRAFT_HOST: z.string().min(1).default('127.0.0.1'),
  SPACECRAFT_PORT: port.default(4400),
  SPACECRAFT_PUBLIC_URL: z.url().optional(),
  SPACECRAFT_RTC_LISTEN_IP: z.ipv4().or(z.ipv6()).default('127.0.0.1'),
  SPACECRAFT_RTC_ANNOUNCED_ADDRESS: z.string().min(1).optional(),
  SPACECRAFT_RTC_PORT: port.default(0),
  SPACECRAFT_WORKERS: z.coerce.number().int().min(1).max(64).default(availableParallelism()),
  SPACECRAFT_STUDIO_TOKEN: z.string().min(16).optional(),
  SPACECRAFT_LISTENER_DIR: z.string().min(1).optional(),
  SPACECRAFT_LOG_LEVEL: logLevelField.default('info'),
});

export type ServerConfig = {
  host: string;
  port: number;
  publicUrl: string | undefined;
  rtc: { listenIp: string; announcedAddress: string | undefined; port: number };
  workers: number;
  studioToken: string;
  studioTokenGenerated: boolean;
  listenerDir: string | undefined;
  logLevel: z.infer<typeof schema>['SPACECRAFT_LOG_LEVEL'];
};

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid server configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message} (got ${JSON.stringify(env[String(i.path[0])])})`));
  }
  const e = parsed.data;
  return {
    host: e.SPACECRAFT_HOST,
    port: e.SPACECRAFT_PORT,
    publicUrl: e.SPACECRAFT_PUBLIC_URL?.replace(/\/$/, ''),
    rtc: { listenIp: e.SPACECRAFT_RTC_LISTEN_IP, announcedAddress: e.SPACECRAFT_RTC_ANNOUNCED_ADDRESS, port: e.SPACECRAFT_RTC_PORT },
    workers: e.SPACECRAFT_WORKERS,
    studioToken: e.SPACECRAFT_STUDIO_TOKEN ?? randomBytes(24).toString('base64url'),
    studioTokenGenerated: e.SPACECRAFT_STUDIO_TOKEN === undefined,
    listenerDir: e.SPACECRAFT_LISTENER_DIR,
    logLevel: e.SPACECRAFT_LOG_LEVEL,
  };
}
