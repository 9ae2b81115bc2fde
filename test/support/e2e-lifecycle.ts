/**
 * The lifecycle the end-to-end test files share: their fixtures in a fresh
 * temporary directory for the file, and what each test opened (studios,
 * browsers, servers) closed after it, newest first. Call at a file's top level.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';

export type Cleanups = Array<() => Promise<void>>;

/** A directory made before the file's tests (`prefix` names it), filled by `write`, removed with all in it after them. */
export function fixtureDir(prefix: string, write: (dir: string) => void): void {
  let dir: string | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    write(dir);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
}

/** Cleanups a test pushes; after each test all run, newest first, even when one fails, and their failures fail the test. */
export function cleanupsAfterEach(): Cleanups {
  const cleanups: Cleanups = [];
  afterEach(async () => {
    const errors: unknown[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error: unknown) => errors.push(error));
    if (errors.length) throw new AggregateError(errors, 'closing the test studio failed');
  });
  return cleanups;
}
