/** `SpawnServer` for Electron: the bundled server in a utilityProcess. */
import { utilityProcess } from 'electron';
import { serverChildEnv, serverLogStream } from '../server-child.ts';
import type { ParentMessage, ServerProcess, SpawnServer } from '../server-supervisor.ts';

export function utilityServer(options: { entry: string; logFile: string }): SpawnServer {
  const log = serverLogStream(options.logFile);
  return (env) => {
    const child = utilityProcess.fork(options.entry, [], { env: serverChildEnv(process.env, env), stdio: 'pipe', serviceName: 'Spacecraft server' });
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
      shutdown: () => child.postMessage({ type: 'shutdown' } satisfies ParentMessage),
      kill: () => void child.kill(),
    };
    return server;
  };
}
