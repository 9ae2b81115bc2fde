import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { useTestDatabases } from '../../test/support/test-databases.ts';
import { DataFolderLock, DataFolderLockedError } from './data-folder-lock.ts';
import { Database, databaseFolder } from './database.ts';

const logger = pino({ level: 'silent' });
const databases = useTestDatabases();
const DATABASE_MODULE = fileURLToPath(new URL('./database.ts', import.meta.url));

/** A pid that surely no longer runs: a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid!;
}

describe('one server per data folder', () => {
  it('refuses a second open of the same folder with a typed error, and allows it again after close', async () => {
    const dataDir = databases.folder();
    const first = await Database.open({ kind: 'pglite', dataDir }, logger);
    const second = Database.open({ kind: 'pglite', dataDir }, logger);
    await expect(second).rejects.toBeInstanceOf(DataFolderLockedError);
    await expect(second).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining(`process ${process.pid}`) as unknown });
    // The refused open left the lock alone: the first server keeps working.
    await first.db.insertInto('accounts').values({ handle: 'ada', display_name: 'Ada', password_hash: 'x' }).execute();
    await first.close();

    const third = await Database.open({ kind: 'pglite', dataDir }, logger);
    expect(await third.db.selectFrom('accounts').select('handle').execute()).toEqual([{ handle: 'ada' }]);
    await third.close();
  });

  it('stops a second process at start while the first runs; once the first is killed (-9), its stale lock is taken over and nothing is lost', async () => {
    const dataDir = databases.folder();
    // Another process opens the folder, writes a row, and stays up.
    const script = `
      import { Database } from ${JSON.stringify(DATABASE_MODULE)};
      import { pino } from 'pino';
      const database = await Database.open({ kind: 'pglite', dataDir: ${JSON.stringify(dataDir)} }, pino({ level: 'silent' }));
      await database.db.insertInto('accounts').values({ handle: 'other', display_name: 'Other', password_hash: 'x' }).execute();
      process.stdout.write('ready\\n');
      setInterval(() => {}, 1000);
    `;
    const other = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        other.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
        other.once('exit', (code) => reject(new Error(`the other process exited (${code}) before it was ready`)));
      });
      const error = await Database.open({ kind: 'pglite', dataDir }, logger).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataFolderLockedError);
      expect((error as Error).message).toContain(`process ${other.pid}`);

      other.kill('SIGKILL');
      await new Promise((resolve) => other.once('exit', resolve));
      const database = await Database.open({ kind: 'pglite', dataDir }, logger);
      expect(await database.db.selectFrom('accounts').select('handle').execute()).toEqual([{ handle: 'other' }]);
      expect(JSON.parse(readFileSync(`${databaseFolder(dataDir)}.lock`, 'utf8'))).toEqual({ pid: process.pid, host: hostname() });
      await database.close();
    } finally {
      other.kill('SIGKILL');
    }
  }, 30_000);

  it('takes over a lock whose process is gone, but not one held by another host or an unreadable one', () => {
    const path = `${databases.folder()}/x.lock`;
    writeFileSync(path, JSON.stringify({ pid: deadPid(), host: hostname() }));
    const lock = DataFolderLock.acquire(path);
    lock.release();
    lock.release(); // idempotent

    writeFileSync(path, JSON.stringify({ pid: deadPid(), host: 'another-machine' }));
    expect(() => DataFolderLock.acquire(path)).toThrow(/process \d+ on another-machine/);
    writeFileSync(path, '');
    expect(() => DataFolderLock.acquire(path)).toThrow(DataFolderLockedError);
  });

  it('takes no lock for an in-memory database', async () => {
    const a = await Database.open({ kind: 'pglite', dataDir: null }, logger);
    const b = await Database.open({ kind: 'pglite', dataDir: null }, logger);
    await Promise.all([a.close(), b.close()]);
  });
});
