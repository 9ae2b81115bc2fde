/**
 * Helper processes (the program mixer, the HLS packager) that end with this server, however the
 * server ends: also by SIGKILL or a crash, where no exit handler runs. `tether(child)` starts a
 * tiny watchdog (`sh`) whose stdin is a pipe from this process; when that pipe closes because
 * this process is gone, the watchdog kills the helper. When the helper ends first, the watchdog is
 * ended with it. Without it, a mixer outlives a killed server and keeps a core busy for good.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';

const WATCHDOG = 'while read -r _; do :; done; kill -KILL "$1" 2>/dev/null';

/** Ties `child`'s life to this process's. Call right after spawning it. */
export function tether(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const watchdog = spawn('/bin/sh', ['-c', WATCHDOG, 'tether', String(child.pid)], { stdio: ['pipe', 'ignore', 'ignore'] });
  // Neither the watchdog nor its pipe keeps this process running.
  watchdog.unref();
  (watchdog.stdin as unknown as Socket | null)?.unref();
  watchdog.on('error', () => undefined);
  watchdog.stdin?.on('error', () => undefined);
  child.once('exit', () => {
    watchdog.stdin?.destroy();
    watchdog.kill('SIGKILL');
  });
}
