/**
 * `npm start`: the studio in Electron, with its bundled server. Where the
 * Electron binary is missing (it cannot be downloaded on some machines), say so
 * and start browser mode instead, printing the URL to open.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBrowserStudio } from './browser-mode/browser-studio.ts';
import { DEMO_SIGN_IN_HINT } from './demo-data.ts';
import { loadStudioConfig } from './studio-config.ts';

/** The installed Electron binary, if any. (Requiring `electron` would try to download it.) */
function electronBinary(): string | null {
  try {
    const dir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const binary = join(dir, 'dist', readFileSync(join(dir, 'path.txt'), 'utf8').trim());
    return existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

const forceBrowser = process.argv.includes('--browser');
const binary = forceBrowser ? null : electronBinary();
if (binary) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const child = spawn(binary, [root], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  if (!forceBrowser) {
    process.stdout.write('The Electron binary is not installed here, so the studio runs in browser mode.\n');
  }
  const config = loadStudioConfig();
  const studio = await startBrowserStudio(config);
  process.stdout.write(
    `\nSpacecraft studio: open ${studio.url} in Chromium or Chrome.\n` +
      '(The link carries this run’s key: only a page opened with it can use the studio. Do not share it.)\n' +
      `Server: ${studio.supervisor?.status.url ?? config.remote?.url}\n` +
      (studio.demoData ? DEMO_SIGN_IN_HINT : '') +
      'Press Ctrl+C to stop.\n',
  );
  const stop = () => void studio.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
