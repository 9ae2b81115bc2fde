/**
 * A tethered helper ends with its server when the server process is SIGKILLed (no exit handler
 * runs), an untethered one does not (the control), and a helper that ends first takes its
 * watchdog with it.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tether } from './tethered-child.ts';
import { processAlive } from '../../test/support/processes.ts';

const strays: number[] = [];
afterAll(() => {
  for (const pid of strays) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
});

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && processAlive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  return !processAlive(pid);
}

/** A server process that starts `sleep 30` (tethered or not), says its pid, and is then SIGKILLed. */
async function killServerOf(tethered: boolean): Promise<number> {
  const module = fileURLToPath(new URL('./tethered-child.ts', import.meta.url));
  const script = [
    `import { spawn } from 'node:child_process';`,
    `import { tether } from ${JSON.stringify(module)};`,
    `const helper = spawn('sleep', ['30'], { stdio: 'ignore' });`,
    tethered ? 'tether(helper);' : '',
    `console.log(helper.pid);`,
    `setInterval(() => {}, 1000);`,
  ].join('\n');
  const server = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [first] = (await once(server.stdout!, 'data')) as [Buffer];
  const helper = Number(first.toString().trim());
  strays.push(helper);
  expect(processAlive(helper)).toBe(true);
  await new Promise((resolve) => setTimeout(resolve, 200)); // the watchdog is up
  server.kill('SIGKILL');
  await once(server, 'close');
  return helper;
}

describe('a tethered helper process', () => {
  it('ends when its server is killed with SIGKILL', async () => {
    expect(await gone(await killServerOf(true))).toBe(true);
  });

  it('outlives a killed server when not tethered (the control)', async () => {
    const helper = await killServerOf(false);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(processAlive(helper)).toBe(true);
  });

  it('takes its watchdog with it when the helper ends first', async () => {
    const helper = spawn('sleep', ['0.2'], { stdio: 'ignore' });
    tether(helper);
    const watchdogs = () => execFileSync('pgrep', ['-f', `tether ${helper.pid}$`], { encoding: 'utf8' }).trim();
    expect(watchdogs()).not.toBe('');
    await once(helper, 'exit');
    await expect.poll(() => { try { return watchdogs(); } catch { return ''; } }, { timeout: 5_000 }).toBe('');
  });
});
