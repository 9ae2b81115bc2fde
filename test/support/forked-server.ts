/**
 * The whole server (`server/main.ts`) as a real child process, for tests that kill it: crash
 * tests SIGKILL it (nothing flushed, nothing closed) and start another on the same data folder or
 * database. `useForkedServers()` (at a test file's top level) gives `start(env)`, which resolves
 * once the child says it listens (its `{ type: 'listening', url }` IPC message) and rejects when it
 * says it failed or exits first, and `crash(server)`; every child still running is SIGKILLed
 * after each test.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { afterEach } from 'vitest';

export const SERVER_MAIN = new URL('../../server/main.ts', import.meta.url).pathname;

export type ForkedServer = { child: ChildProcess; url: string };

export type ForkedServers = {
  /** Forks a server with `env` over this process's environment (one mediasoup worker and warn logs unless `env` says otherwise). */
  start(env: Record<string, string>): Promise<ForkedServer>;
  /** SIGKILLs the server; resolves once it has exited. */
  crash(server: ForkedServer): Promise<void>;
};

export function useForkedServers(): ForkedServers {
  const children: ChildProcess[] = [];
  afterEach(async () => {
    await Promise.all(children.splice(0).map(kill));
  });
  return {
    start(env) {
      const child = fork(SERVER_MAIN, [], {
        env: { ...process.env, SPACECRAFT_WORKERS: '1', SPACECRAFT_LOG_LEVEL: 'warn', ...env },
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      children.push(child);
      return new Promise((resolve, reject) => {
        child.on('message', (message: { type?: string; url?: string; message?: string }) => {
          if (message.type === 'listening') resolve({ child, url: message.url! });
          if (message.type === 'failed') reject(new Error(message.message));
        });
        child.once('exit', (code) => reject(new Error(`server exited with ${code} while starting`)));
      });
    },
    crash: (server) => kill(server.child),
  };
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
