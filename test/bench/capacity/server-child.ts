/**
 * Our whole server as a child process (`node server/main.ts` of a given source
 * tree), one mediasoup worker, limits raised for load, the demo accounts made at
 * start. Resolves once it is listening and the demo creator is signed in (hosting
 * needs a signed-in account: a tree from before accounts cannot be benched).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { DEMO_CREATOR, DEMO_PASSWORD } from '../../../server/db/seed.ts';
import { childPids, commandName, sleep } from './proc.ts';

export type ServerChild = {
  url: string;
  wsUrl: string;
  pid: number;
  /** The mediasoup worker's pid. */
  workerPid: number;
  process: ChildProcess;
  /** The demo creator's session token: a host signs its socket in with it (`signIn`) before `createSpace`. */
  hostToken: string;
  close(): Promise<void>;
};

/** Signs a demo account (the creator by default) in over HTTP (POST /api/accounts/sessions) and returns the session token. */
export async function signInDemo(url: string, handle: string = DEMO_CREATOR.handle): Promise<string> {
  const response = await fetch(`${url}/api/accounts/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ handle, password: DEMO_PASSWORD }),
  });
  if (response.status !== 201) throw new Error(`${handle} could not sign in: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

export async function startServerChild(root: string, options: { execArgv?: string[]; env?: Record<string, string> } = {}): Promise<ServerChild> {
  const child = fork(join(root, 'server/main.ts'), [], {
    cwd: root,
    execArgv: options.execArgv ?? [],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '',
      ...(process.env['MEDIASOUP_WORKER_BIN'] ? { MEDIASOUP_WORKER_BIN: process.env['MEDIASOUP_WORKER_BIN'] } : {}),
      SPACECRAFT_PORT: '0',
      SPACECRAFT_WORKERS: '1',
      SPACECRAFT_LOG_LEVEL: 'warn',
      // The demo creator (enough followers to host) hosts the bench's Space.
      SPACECRAFT_DEMO_DATA: 'true',
      // Benchmarks never touch the developer's data folder (nor take its lock).
      SPACECRAFT_DATA_DIR: 'memory://',
      // Per-IP limits (all bench clients come from 127.0.0.1): raised far past the load.
      SPACECRAFT_IP_CONNECTIONS_PER_MINUTE: '1000000',
      SPACECRAFT_IP_JOINS_PER_MINUTE: '1000000',
      ...options.env,
    },
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start within 90 s')), 90_000);
    child.on('message', (m: { type?: string; url?: string; message?: string }) => {
      if (m.type === 'listening') {
        clearTimeout(timer);
        resolve(m.url!);
      } else if (m.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(`server failed: ${m.message}`));
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  let workerPid = 0;
  for (let i = 0; i < 50 && !workerPid; i++) {
    workerPid = childPids(child.pid!).find((pid) => /mediasoup/.test(commandName(pid))) ?? 0;
    if (!workerPid) await sleep(100);
  }
  const close = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.send({ type: 'shutdown' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
    await exited;
    clearTimeout(timer);
  };
  if (!workerPid) {
    await close();
    throw new Error('mediasoup worker of the server not found');
  }
  let hostToken: string;
  try {
    hostToken = await signInDemo(url);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/ws`,
    pid: child.pid!,
    workerPid,
    process: child,
    hostToken,
    close,
  };
}
