/**
 * Whether the bundled server starts with the demo accounts (`npm run seed`'s data, server/db/seed.ts:
 * a creator with enough followers to host, three listeners), so that a new user's first
 * `./spacecraft start` can go live at once.
 *
 * SPACECRAFT_DEMO_DATA decides when it is set (`false`: never). Otherwise the demo accounts are made
 * only on a first run, while the data folder holds no database yet: a creator's real database is
 * never given fake accounts and followers later. (Those of a first run stay until the `database`
 * folder is deleted.)
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DEMO_CREATOR, DEMO_PASSWORD } from '../server/db/seed.ts';

/** The data folder value meaning "a database in memory only" (server/config.ts IN_MEMORY). */
const IN_MEMORY = 'memory://';

/** The folder the bundled server keeps its embedded database in (server/db/database.ts `databaseFolder`). */
export const bundledDatabaseFolder = (dataDir: string) => join(dataDir, 'database');

/** The SPACECRAFT_DEMO_DATA value to start the bundled server with, its data in `dataDir`. */
export function bundledDemoData(env: NodeJS.ProcessEnv, dataDir: string): string {
  const asked = env['SPACECRAFT_DEMO_DATA'];
  if (asked !== undefined && asked !== '') return asked;
  const firstRun = dataDir === IN_MEMORY || !existsSync(bundledDatabaseFolder(dataDir));
  return firstRun ? 'true' : 'false';
}

/** Whether a SPACECRAFT_DEMO_DATA value turns the demo accounts on, read as the server reads it (a value it refuses is not on). */
export function demoDataOn(value: string): boolean {
  const parsed = z.stringbool().safeParse(value);
  return parsed.success && parsed.data;
}

/** What to tell a new user who starts the studio with the demo accounts. */
export const DEMO_SIGN_IN_HINT =
  `Demo accounts are on: sign in as "${DEMO_CREATOR.handle}" with the password "${DEMO_PASSWORD}" to go live.\n` +
  'To start without them, set SPACECRAFT_DEMO_DATA=false before the first start (README, "Signing in to host").\n';
