/**
 * `npm start`: the studio in Electron, with its bundled server. Where the
 * Electron binary is missing (it cannot be downloaded on some machines), say so
 * and start browser mode instead, printing the URL to open.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startBrowserStudio } from './browser-mode/browser-studio.ts';
import { loadStudioConfig } from './studio-config.ts';

function electronBinary(): string | null {
  try {
    // The electron package exports the binary's path, and throws when the binary is missing.
    const path = createRequire(import.meta.url)('electron') as unknown;
    return typeof path === 'string' ? path : null;
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
  process.stdout.write(`\nSpacecraft studio: open ${studio.url} in Chromium or Chrome.\nServer: ${studio.supervisor?.status.url ?? config.remote?.url}\nPress Ctrl+C to stop.\n`);
  const stop = () => void studio.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
