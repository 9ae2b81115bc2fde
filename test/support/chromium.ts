/** Debian's Chromium driven by playwright-core, with the flags these machines need. */
import { chromium, type Browser } from 'playwright-core';
import { requireExecutable } from './require-tool.ts';

export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export function launchChromium(options: { fakeAudioFile?: string } = {}): Promise<Browser> {
  requireExecutable('Chromium', CHROMIUM_PATH);
  const args = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
    '--allow-loopback-in-peer-connection',
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    '--autoplay-policy=no-user-gesture-required',
  ];
  if (options.fakeAudioFile) args.push(`--use-file-for-fake-audio-capture=${options.fakeAudioFile}`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args });
}
