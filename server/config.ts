/**
 * Every server setting, from environment variables, validated once with zod.
 * A bad value stops the server at start with every bad key listed; a secret's
 * value is never echoed.
 */
import { availableParallelism, homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { logLevelField, portField as port, type LogLevel } from './config-fields.ts';
import { refundConfig, refundEnvFields, type RefundConfig } from './payments/refund-config.ts';
import { STRIPE_SECRET_KEYS, stripeConfig, stripeEnvFields, type StripeConfig } from './payments/stripe-config.ts';
import { captionConfig, captionEnvFields, type CaptionConfig } from './captions/caption-config.ts';
import { CLUSTER_SECRET_KEYS, clusterConfig, clusterEnvFields, type ClusterConfig } from './cluster/cluster-config.ts';

const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/**
 * A comma-separated list of origins: web ones (`https://example.com`, normalised by the URL
 * parser) or an app's own scheme (`app://studio`, as Chromium sends it for a privileged
 * standard scheme).
 */
const originList = z.string().transform((value, ctx) => {
  const origins: string[] = [];
  for (const item of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const origin = parseOrigin(item);
    if (origin) origins.push(origin);
    else ctx.addIssue({ code: 'custom', message: `"${item}" is not an origin like https://example.com or app://studio` });
  }
  return origins;
});

function parseOrigin(item: string): string | null {
  const app = /^([a-z][a-z0-9+.-]*):\/\/([a-z0-9.-]+(?::\d{1,5})?)\/?$/i.exec(item);
  if (!app) return null;
  const scheme = app[1]!.toLowerCase();
  if (scheme === 'http' || scheme === 'https') {
    const url = new URL(item);
    return url.origin;
  }
  if (['javascript', 'data', 'blob', 'file', 'about', 'ws', 'wss'].includes(scheme)) return null;
  return `${scheme}://${app[2]!.toLowerCase()}`;
}

const schema = z.object({
  SPACECRAFT_HOST: z.string().min(1).default('127.0.0.1'),
  SPACECRAFT_PORT: port.default(4400),
  SPACECRAFT_PUBLIC_URL: z.url().optional(),
  SPACECRAFT_ALLOWED_ORIGINS: originList.default([]),
  SPACECRAFT_RTC_LISTEN_IP: z.ipv4().or(z.ipv6()).default('127.0.0.1'),
  SPACECRAFT_RTC_ANNOUNCED_ADDRESS: z.string().min(1).optional(),
  SPACECRAFT_RTC_PORT: port.default(0),
  SPACECRAFT_WORKERS: count(1, 64).default(availableParallelism()),
  SPACECRAFT_LISTENER_DIR: z.string().min(1).optional(),
  SPACECRAFT_LOG_LEVEL: logLevelField.default('info'),
  SPACECRAFT_IP_CONNECTIONS_PER_MINUTE: count(1, 1_000_000).default(300),
  SPACECRAFT_IP_JOINS_PER_MINUTE: count(1, 1_000_000).default(300),
  SPACECRAFT_LIVE_SPACES_PER_ACCOUNT: count(1, 1000).default(3),
  SPACECRAFT_HOST_GRACE_MS: count(0, 300_000).default(15_000),
  SPACECRAFT_RESTORE_GRACE_MS: count(0, 3_600_000).default(120_000),
  SPACECRAFT_HEARTBEAT_MS: count(100, 600_000).default(15_000),
  SPACECRAFT_STATE_INTERVAL_MS: count(10, 5000).default(300),
  SPACECRAFT_DATA_DIR: z.string().min(1).optional(),
  SPACECRAFT_HOST_MIN_FOLLOWERS: count(0, 100_000_000).default(600),
  SPACECRAFT_SESSION_DAYS: count(1, 365).default(30),
  SPACECRAFT_DEMO_DATA: z.stringbool().default(false),
  SPACECRAFT_ACCOUNT_ATTEMPTS_PER_IP: count(1, 1_000_000).default(30),
  SPACECRAFT_FAILED_SIGN_INS_PER_HANDLE: count(1, 1000).default(10),
  SPACECRAFT_SPREAD_WORKERS: z.stringbool().default(true),
  SPACECRAFT_PROGRAM_MIX_FROM_LISTENERS: count(0, 100_000_000).default(300),
  SPACECRAFT_PROGRAM_MIX_SLOTS: count(1, 32).default(13),
  SPACECRAFT_HLS_DIR: z.string().min(1).optional(),
  SPACECRAFT_HLS_SEGMENT_SECONDS: z.coerce.number().min(0.2).max(10).default(1),
  SPACECRAFT_HLS_URL_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SPACECRAFT_HLS_URL_TTL_SECONDS: count(10, 86_400).default(600),
  SPACECRAFT_SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  SPACECRAFT_MAIL_FROM: z.string().regex(/^[^\r\n<>]{0,100}<[^\s@<>]+@[^\s@<>]+>$|^[^\s@<>]+@[^\s@<>]+$/, 'an address like "Spacecraft <reminders@example.com>"').default('Spacecraft <reminders@spacecraft.invalid>'),
  SPACECRAFT_PUSH_ENDPOINT_ORIGINS: originList.default([]),
  SPACECRAFT_REMINDER_SWEEP_SECONDS: count(1, 3600).default(30),
  SPACECRAFT_REMINDER_LEASE_SECONDS: count(1, 3600).default(60),
  SPACECRAFT_REMINDERS_PER_ACCOUNT_PER_MINUTE: count(1, 100_000).default(30),
  SPACECRAFT_REMINDERS_PER_SPACE_PER_MINUTE: count(1, 1_000_000).default(600),
  ...clusterEnvFields,
  ...stripeEnvFields,
  ...refundEnvFields,
  ...captionEnvFields,
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/./, 'must be a postgres:// or postgresql:// URL')
    .optional(),
});

/** Keys whose values are secrets: a config error names them but never shows them. */
const SECRET_KEYS = new Set(['DATABASE_URL', 'SPACECRAFT_SMTP_URL', 'SPACECRAFT_HLS_URL_SECRET', ...CLUSTER_SECRET_KEYS, ...STRIPE_SECRET_KEYS]);

/**
 * The server's data folder when SPACECRAFT_DATA_DIR is not set: the same folder the studio
 * uses (`~/.spacecraft`), so the bundled server and the studio keep their data together.
 */
export const DEFAULT_DATA_DIR = join(homedir(), '.spacecraft');
/** `SPACECRAFT_DATA_DIR=memory://`: an embedded database that lives only as long as the process (tests, demos). */
export const IN_MEMORY = 'memory://';

/**
 * Where the data lives: embedded PGlite in `<dataDir>/database` (null: in memory only), or a
 * PostgreSQL server when DATABASE_URL is set (then the data folder holds no database).
 */
export type DatabaseConfig = { kind: 'pglite'; dataDir: string | null } | { kind: 'postgres'; url: string };

export type ServerConfig = {
  host: string;
  port: number;
  publicUrl: string | undefined;
  /** Web origins allowed to open the signalling socket, besides the server's own. */
  allowedOrigins: string[];
  rtc: { listenIp: string; announcedAddress: string | undefined; port: number };
  workers: number;
  listenerDir: string | undefined;
  logLevel: LogLevel;
  limits: {
    connectionsPerIpPerMinute: number;
    joinsPerIpPerMinute: number;
    liveSpacesPerAccount: number;
  };
  /** How long a host whose connection dropped may take to come back before the Space ends. */
  hostGraceMs: number;
  /** After a crash, how long a Space brought back from the database waits for its host. */
  restoreGraceMs: number;
  /** Ping interval; a connection that missed a whole interval's pong is dropped. */
  heartbeatMs: number;
  /** At most one `spaceState` per Space per this interval. */
  stateIntervalMs: number;
  database: DatabaseConfig;
  /** This server as a node of a multi-node deployment (null: on its own). */
  cluster: ClusterConfig | null;
  /** Ticket sales through Stripe (issue #9): off without a secret key. */
  stripe: StripeConfig;
  /** Refund rules (issue #9): no-show grace, failed-early share, the window after a move; the webhook's tolerance. */
  refunds: RefundConfig;
  /** Live captions (issue #10): the engine's command (null: off) and the starting hold-back. */
  captions: CaptionConfig;
  /** One Space past one core (issue #12): the program mix, listeners over every worker, the HLS overflow tier. */
  scale: {
    /** Receiving transports go to the least-loaded worker (producers piped there with pipeToRouter). */
    spreadWorkers: boolean;
    /** From this many listeners on, listeners consume the program stream instead of each voice (0: never). */
    programMixFromListeners: number;
    /** Voices the program mixes at most (the stage's seats). */
    programMixSlots: number;
    /** Where HLS segments are written (a temp folder when not set). */
    hlsDir: string | undefined;
    hlsSegmentSeconds: number;
    /** Signs the overflow URLs of ticketed Spaces (random per process when not set: set it when several nodes serve one Space). */
    hlsUrlSecret: string | undefined;
    hlsUrlTtlSeconds: number;
  };
  reminders: {
    /** SMTP server for reminder e-mail (undefined: e-mail reminders are refused as not configured). */
    smtpUrl: string | undefined;
    mailFrom: string;
    /** Push endpoints allowed besides public https:// push services (a local push service, tests). */
    pushEndpointOrigins: string[];
    /** How often due reminders are looked for besides their jobs (late ones after a crash, retries). */
    sweepSeconds: number;
    /** A send claimed longer ago than this by a sender that never finished may be taken again. */
    leaseSeconds: number;
    limits: { perAccountPerMinute: number; perSpacePerMinute: number };
  };
  accounts: {
    /** Followers an account needs before it may host. */
    hostMinFollowers: number;
    /** How long a sign-in lasts. */
    sessionDays: number;
    limits: { attemptsPerIp: number; failedSignInsPerHandle: number };
    /** Create the demo creator and listeners at start (`npm run seed`'s data), for a new user's first try and for tests. */
    demoData: boolean;
  };
};

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid server configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

function shown(key: string, env: NodeJS.ProcessEnv): string {
  if (SECRET_KEYS.has(key)) return '(value hidden)';
  return `(got ${JSON.stringify(env[key])})`;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message} ${shown(String(i.path[0]), env)}`));
  }
  const e = parsed.data;
  const cluster = clusterConfig(e);
  if (cluster.problems.length) throw new ConfigError(cluster.problems);
  const captions = captionConfig(e);
  if (captions.problems.length) throw new ConfigError(captions.problems);
  const stripe = stripeConfig(e);
  if (stripe.problems.length) throw new ConfigError(stripe.problems);
  return {
    host: e.SPACECRAFT_HOST,
    port: e.SPACECRAFT_PORT,
    publicUrl: e.SPACECRAFT_PUBLIC_URL?.replace(/\/$/, ''),
    allowedOrigins: e.SPACECRAFT_ALLOWED_ORIGINS,
    rtc: { listenIp: e.SPACECRAFT_RTC_LISTEN_IP, announcedAddress: e.SPACECRAFT_RTC_ANNOUNCED_ADDRESS, port: e.SPACECRAFT_RTC_PORT },
    workers: e.SPACECRAFT_WORKERS,
    listenerDir: e.SPACECRAFT_LISTENER_DIR,
    logLevel: e.SPACECRAFT_LOG_LEVEL,
    limits: {
      connectionsPerIpPerMinute: e.SPACECRAFT_IP_CONNECTIONS_PER_MINUTE,
      joinsPerIpPerMinute: e.SPACECRAFT_IP_JOINS_PER_MINUTE,
      liveSpacesPerAccount: e.SPACECRAFT_LIVE_SPACES_PER_ACCOUNT,
    },
    hostGraceMs: e.SPACECRAFT_HOST_GRACE_MS,
    restoreGraceMs: e.SPACECRAFT_RESTORE_GRACE_MS,
    heartbeatMs: e.SPACECRAFT_HEARTBEAT_MS,
    stateIntervalMs: e.SPACECRAFT_STATE_INTERVAL_MS,
    cluster: cluster.config,
    stripe: stripe.config,
    refunds: refundConfig(e),
    captions: captions.config,
    database: e.DATABASE_URL
      ? { kind: 'postgres', url: e.DATABASE_URL }
      : { kind: 'pglite', dataDir: e.SPACECRAFT_DATA_DIR === IN_MEMORY ? null : (e.SPACECRAFT_DATA_DIR ?? DEFAULT_DATA_DIR) },
    scale: {
      spreadWorkers: e.SPACECRAFT_SPREAD_WORKERS,
      programMixFromListeners: e.SPACECRAFT_PROGRAM_MIX_FROM_LISTENERS,
      programMixSlots: e.SPACECRAFT_PROGRAM_MIX_SLOTS,
      hlsDir: e.SPACECRAFT_HLS_DIR,
      hlsSegmentSeconds: e.SPACECRAFT_HLS_SEGMENT_SECONDS,
      hlsUrlSecret: e.SPACECRAFT_HLS_URL_SECRET,
      hlsUrlTtlSeconds: e.SPACECRAFT_HLS_URL_TTL_SECONDS,
    },
    reminders: {
      smtpUrl: e.SPACECRAFT_SMTP_URL,
      mailFrom: e.SPACECRAFT_MAIL_FROM,
      pushEndpointOrigins: e.SPACECRAFT_PUSH_ENDPOINT_ORIGINS,
      sweepSeconds: e.SPACECRAFT_REMINDER_SWEEP_SECONDS,
      leaseSeconds: e.SPACECRAFT_REMINDER_LEASE_SECONDS,
      limits: { perAccountPerMinute: e.SPACECRAFT_REMINDERS_PER_ACCOUNT_PER_MINUTE, perSpacePerMinute: e.SPACECRAFT_REMINDERS_PER_SPACE_PER_MINUTE },
    },
    accounts: {
      hostMinFollowers: e.SPACECRAFT_HOST_MIN_FOLLOWERS,
      sessionDays: e.SPACECRAFT_SESSION_DAYS,
      limits: { attemptsPerIp: e.SPACECRAFT_ACCOUNT_ATTEMPTS_PER_IP, failedSignInsPerHandle: e.SPACECRAFT_FAILED_SIGN_INS_PER_HANDLE },
      demoData: e.SPACECRAFT_DEMO_DATA,
    },
  };
}
