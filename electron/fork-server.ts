/** `SpawnServer` for plain Node (browser mode, tests): child_process.fork of server/main.ts. */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { serverChildEnv, serverLogStream, type LogRotation } from './server-child.ts';
import type { ParentMessage, ServerProcess, SpawnServer } from './server-supervisor.ts';

export const SERVER_ENTRY = fileURLToPath(new URL('../server/main.ts', import.meta.url));

/** Forks the server with an allow-listed environment; its stdout/stderr (pino JSON lines) go to `logFile`, rotated. */
export function forkServer(options: { logFile: string; entry?: string; rotation?: LogRotation }): SpawnServer {
  const log = serverLogStream(options.logFile, options.rotation);
  return (env) => {
    const child = fork(options.entry ?? SERVER_ENTRY, [], {
      env: serverChildEnv(process.env, env),
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
        if (child.connected) child.send({ type: 'shutdown' } satisfies ParentMessage);
        else child.kill('SIGTERM');
      },
      kill: () => child.kill('SIGKILL'),
    };
    return process_;
  };
}
