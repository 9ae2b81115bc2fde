/**
 * A real server in this process for property tests, watched for what a client
 * never sees: every log line at error level or above (an untyped failure inside
 * a handler, a leave that failed) and any uncaught exception or unhandled
 * rejection in the process while the test runs. Also a snapshot of every table,
 * found by introspection, so tables added later are compared too.
 */
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { loadConfig, type ServerConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { DEFAULT_LISTENER_DIR, startServer, type RunningServer } from '../../server/server.ts';

export type WatchedServer = RunningServer & {
  config: ServerConfig;
  /** Log lines at error level or above, parsed. */
  errors: Array<Record<string, unknown>>;
  /** Uncaught exceptions and unhandled rejections seen in this process. */
  crashes: unknown[];
};

/**
 * Starts a server with an in-memory database; stopped after the file. It serves its own copy of
 * the built listener page, so a build running meanwhile (which empties out/) cannot fail a request.
 */
export async function startWatchedServer(env: Record<string, string> = {}): Promise<WatchedServer> {
  const errors: Array<Record<string, unknown>> = [];
  const crashes: unknown[] = [];
  const onCrash = (error: unknown) => crashes.push(error);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  const logger = createLogger('error', {
    write(line: string) {
      errors.push(JSON.parse(line) as Record<string, unknown>);
    },
  });
  const listenerDir = mkdtempSync(join(tmpdir(), 'spacecraft-listener-'));
  if (existsSync(DEFAULT_LISTENER_DIR)) cpSync(DEFAULT_LISTENER_DIR, listenerDir, { recursive: true });
  const config = loadConfig({ SPACECRAFT_PORT: '0', SPACECRAFT_WORKERS: '1', SPACECRAFT_DATA_DIR: 'memory://', SPACECRAFT_LISTENER_DIR: listenerDir, ...env });
  const server = await startServer(config, logger);
  afterAll(async () => {
    await server.close();
    rmSync(listenerDir, { recursive: true, force: true });
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
  });
  return { ...server, config, errors, crashes };
}

/**
 * Every row of every table of the app's own schema, each table's rows sorted, for "nothing stored
 * changed" checks. The job queue's schema (pgboss) is left out: it changes by itself.
 */
export async function snapshotTables(server: RunningServer): Promise<Record<string, string[]>> {
  const { db } = server.database;
  const tables = (await db.introspection.getTables()).filter((table) => table.schema === undefined || table.schema === 'public');
  const snapshot: Record<string, string[]> = {};
  for (const table of tables.sort((a, b) => a.name.localeCompare(b.name))) {
    const rows = await db.selectFrom(table.name as never).selectAll().execute();
    snapshot[table.name] = rows.map((row) => JSON.stringify(row, (_key, value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString('hex') : value))).sort();
  }
  return snapshot;
}
