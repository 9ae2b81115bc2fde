/**
 * A supervised helper is tethered, answered by a new process when it dies (each wait longer),
 * given up on after its respawns with its stderr tail logged, and stopped by `stop()` with no
 * new process after.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { SupervisedChild, type SupervisedChildOptions } from './supervised-child.ts';
import { processAlive } from '../../test/support/processes.ts';

type Line = { level: number; msg: string; pid?: number; code?: number; stderr?: string; slots?: number };

function supervise(command: string, options: Partial<SupervisedChildOptions> = {}) {
  const lines: Line[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as Line) });
  let gaveUp = 0;
  const child = SupervisedChild.start({ command: '/bin/sh', args: ['-c', command], name: 'helper', logger, backoffMs: 20, onGiveUp: () => gaveUp++, ...options });
  return { child, lines, gaveUps: () => gaveUp, starts: () => lines.filter((l) => l.msg === 'helper started') };
}

describe('a supervised helper process', () => {
  it('is respawned after each exit, then given up on once, with its stderr in the log', async () => {
    const run = supervise('echo "no input" >&2; exit 3', { maxRespawns: 2, logFields: { slots: 4 } });
    await expect.poll(run.gaveUps, { timeout: 10_000 }).toBe(1);
    expect(run.starts()).toHaveLength(3);
    expect(run.starts()[0]).toMatchObject({ slots: 4 });
    expect(new Set(run.starts().map((l) => l.pid)).size).toBe(3);
    const exits = run.lines.filter((l) => l.msg === 'helper exited');
    expect(exits).toHaveLength(3);
    expect(exits[2]).toMatchObject({ code: 3, stderr: expect.stringContaining('no input') as string });
    expect(run.child.stopped).toBe(true);
    expect(run.child.pid).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(run.starts()).toHaveLength(3);
    expect(run.gaveUps()).toBe(1);
    await run.child.stop(); // nothing left to stop
  });

  it('is killed by stop(), which resolves once it is gone, and not respawned', async () => {
    const run = supervise('exec sleep 30');
    const pid = run.child.pid!;
    expect(processAlive(pid)).toBe(true);
    await run.child.stop();
    expect(processAlive(pid)).toBe(false);
    expect(run.child.pid).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(run.starts()).toHaveLength(1);
    expect(run.lines.filter((l) => l.msg === 'helper exited')).toHaveLength(0);
    expect(run.gaveUps()).toBe(0);
  });

  it('is tethered to this process', async () => {
    const run = supervise('exec sleep 30');
    const pid = run.child.pid!;
    expect(execFileSync('pgrep', ['-f', `tether ${pid}$`], { encoding: 'utf8' }).trim()).not.toBe('');
    await run.child.stop();
  });

  it('says so when the command cannot start, and gives up', async () => {
    const run = supervise('', { command: '/nonexistent/helper', args: [], maxRespawns: 1 });
    await expect.poll(run.gaveUps, { timeout: 10_000 }).toBe(1);
    expect(run.lines.filter((l) => l.msg === 'helper could not start')).toHaveLength(2);
  });
});
