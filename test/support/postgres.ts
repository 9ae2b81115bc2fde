/**
 * A throwaway PostgreSQL server for tests: Debian's `postgresql` binaries (installed by
 * `./spacecraft test`), a fresh cluster in a temp folder, listening on a free loopback port,
 * fsync off, removed when stopped. Each test file that needs it starts its own (about 1–2 s),
 * so `npx vitest run <file>` works alone and nothing runs for files that do not need it.
 *
 * Run as root (CI containers), initdb refuses to work: the cluster then belongs to the
 * `postgres` user (or `nobody`) through `runuser`.
 *
 * `SPACECRAFT_TEST_DATABASE_URL=postgres://user@host:port/db` uses an existing server instead
 * (each test still gets its own new database in it). A missing PostgreSQL is an error, never a skip.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.ts';

const run = promisify(execFile);

export type TestPostgres = {
  /** A new, empty database on the server; its URL. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
};

export async function startPostgres(): Promise<TestPostgres> {
  const given = process.env['SPACECRAFT_TEST_DATABASE_URL'];
  if (given) return withDatabases(given, () => Promise.resolve());

  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'spacecraft-pg-'));
  const asUser = runAsUser();
  if (asUser) chownSync(dir, asUser.uid, asUser.gid);
  const exec = (file: string, args: string[]) =>
    asUser ? run('runuser', ['-u', asUser.name, '--', join(bin, file), ...args]) : run(join(bin, file), args);
  const data = join(dir, 'data');
  const port = await freePort();
  try {
    await exec('initdb', ['-D', data, '-A', 'trust', '-U', 'spacecraft', '-E', 'UTF8', '--locale=C', '--no-sync']);
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    await exec('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '30', '-o', options, 'start']);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start a throwaway PostgreSQL with ${bin}: ${(error as Error).message}`, { cause: error });
  }
  return withDatabases(`postgres://spacecraft@127.0.0.1:${port}/postgres`, async () => {
    await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });
}

function withDatabases(adminUrl: string, stop: () => Promise<void>): TestPostgres {
  let count = 0;
  return {
    async createDatabase() {
      const name = `spacecraft_test_${process.pid}_${Date.now().toString(36)}_${count++}`;
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`create database ${name}`);
      } finally {
        await client.end();
      }
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return url.toString();
    },
    stop,
  };
}

/** The newest `/usr/lib/postgresql/<version>/bin`, or a clear error saying how to get one. */
function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) {
    throw new Error(
      "PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/initdb). The database tests run on both PGlite and PostgreSQL: run `./spacecraft setup` (it installs Debian's postgresql) or set SPACECRAFT_TEST_DATABASE_URL to a server's admin URL.",
    );
  }
  return join(root, newest, 'bin');
}

function runAsUser(): { name: string; uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  for (const name of ['postgres', 'nobody']) {
    const entry = readPasswd(name);
    if (entry) return entry;
  }
  throw new Error('running as root, and neither a postgres nor a nobody user exists to own the test cluster');
}

function readPasswd(name: string): { name: string; uid: number; gid: number } | null {
  try {
    const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
    if (!line) return null;
    const [, , uid, gid] = line.split(':');
    return { name, uid: Number(uid), gid: Number(gid) };
  } catch {
    return null;
  }
}
