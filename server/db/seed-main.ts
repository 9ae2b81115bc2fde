/**
 * `npm run seed`: demo accounts in the configured database (the same settings as the server:
 * SPACECRAFT_DATA_DIR or DATABASE_URL). Stop the server first when it uses an embedded data
 * folder: only one process may open it (the seed then says which process holds it).
 */
import { ConfigError, loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { Database } from './database.ts';
import { DEMO_CREATOR, DEMO_LISTENERS, DEMO_PASSWORD, seedDemo } from './seed.ts';

try {
  const config = loadConfig();
  const database = await Database.open(config.database, createLogger('warn'));
  try {
    const { creatorFollowers } = await seedDemo(database.db, { followers: config.accounts.hostMinFollowers });
    const where = config.database.kind === 'postgres' ? 'the PostgreSQL database (DATABASE_URL)' : (config.database.dataDir ?? 'memory (SPACECRAFT_DATA_DIR=memory://: gone at exit)');
    process.stdout.write(
      `Demo accounts in ${where}, password "${DEMO_PASSWORD}" for each:\n` +
        `  @${DEMO_CREATOR.handle}: ${creatorFollowers} followers (hosting needs ${config.accounts.hostMinFollowers})\n` +
        DEMO_LISTENERS.map((l) => `  @${l.handle}: a listener\n`).join(''),
    );
  } finally {
    await database.close();
  }
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : `Seeding failed: ${error instanceof Error ? error.message : String(error)}`}\n`);
  process.exitCode = 1;
}
