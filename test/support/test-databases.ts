/**
 * Both backends for tests: `describe.each(BACKENDS)` and, inside, `databases.fresh(backend)` for an
 * empty database of that kind (a new PGlite folder in a temp dir, or a new database on a throwaway
 * PostgreSQL server started once per file). Everything is removed after the file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { DatabaseConfig } from '../../server/config.ts';
import { startPostgres, type TestPostgres } from './postgres.ts';

export const BACKENDS = ['pglite', 'postgres'] as const satisfies ReadonlyArray<DatabaseConfig['kind']>;
export type TestBackend = (typeof BACKENDS)[number];

export type TestDatabases = {
  /** A new empty database of that backend (a PGlite folder on disk, not in memory). */
  fresh(backend: TestBackend): Promise<DatabaseConfig>;
  /** A new empty folder (for a PGlite data folder, or anything else). */
  folder(): string;
};

/** Call at the top of a test file. */
export function useTestDatabases(): TestDatabases {
  let postgres: Promise<TestPostgres> | null = null;
  const folders: string[] = [];
  afterAll(async () => {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
    if (postgres) await (await postgres).stop();
  });
  const folder = () => {
    const dir = mkdtempSync(join(tmpdir(), 'spacecraft-data-'));
    folders.push(dir);
    return dir;
  };
  return {
    folder,
    async fresh(backend) {
      if (backend === 'pglite') return { kind: 'pglite', dataDir: folder() };
      postgres ??= startPostgres();
      return { kind: 'postgres', url: await (await postgres).createDatabase() };
    },
  };
}
