/** `SpawnServer` for plain Node (browser mode, tests): child_process.fork of server/main.ts. */
import { fork } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerProcess, SpawnServer } from './server-supervisor.ts';

export const SERVER_ENTRY = fileURLToPath(new URL('../server/main.ts', import.meta.url));

/** Forks the server; its stdout/stderr (pino JSON lines) are appended to `logFile`. */
export function forkServer(options: { logFile: string; entry?: string }): SpawnServer {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = createWriteStream(options.logFile, { flags: 'a' });
  return (env) => {
    const child = fork(options.entry ?? SERVER_ENTRY, [], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    const process_: ServerProcess = {
      pid: child.pid,
      onMessage: (listener) => child.on('message', listener),
      onExit: (listener) => {
        if (child.exitCode !== null || child.signalCode !== null) listener(child.exitCode);
        else child.once('exit', (code) => listener(code));
      },
      shutdown: () => {
        if (child.connected) child.send({ type: 'shutdown' });
        else child.kill('SIGTERM');
      },
      kill: () => child.kill('SIGKILL'),
    };
    return process_;
  };
}
