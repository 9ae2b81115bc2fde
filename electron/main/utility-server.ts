/** `SpawnServer` for Electron: the bundled server in a utilityProcess. */
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { utilityProcess } from 'electron';
import type { ServerProcess, SpawnServer } from '../server-supervisor.ts';

export function utilityServer(options: { entry: string; logFile: string }): SpawnServer {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = createWriteStream(options.logFile, { flags: 'a' });
  return (env) => {
    const child = utilityProcess.fork(options.entry, [], { env: { ...process.env, ...env }, stdio: 'pipe', serviceName: 'Spacecraft server' });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    let exitCode: number | null | undefined;
    child.once('exit', (code) => (exitCode = code));
    const server: ServerProcess = {
      get pid() {
        return child.pid;
      },
      onMessage: (listener) => child.on('message', listener),
      onExit: (listener) => (exitCode !== undefined ? listener(exitCode) : child.once('exit', listener)),
      shutdown: () => child.postMessage({ type: 'shutdown' }),
      kill: () => void child.kill(),
    };
    return server;
  };
}
