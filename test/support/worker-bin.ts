/** Where mediasoup finds its worker binary, found the same way mediasoup does (node/src/Worker.ts). */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type WorkerBinLocation = { path: string; from: string };

/** MEDIASOUP_WORKER_BIN when set, else worker/out/<Release|Debug>/mediasoup-worker in the mediasoup package. */
export function locateWorkerBin(env: NodeJS.ProcessEnv = process.env): WorkerBinLocation {
  const fromEnv = env['MEDIASOUP_WORKER_BIN'];
  if (fromEnv) return { path: fromEnv, from: 'MEDIASOUP_WORKER_BIN' };
  // mediasoup's main entry is node/lib/index.js: the package is two folders up.
  const packageDir = join(dirname(createRequire(import.meta.url).resolve('mediasoup')), '..', '..');
  const buildType = env['MEDIASOUP_BUILDTYPE'] === 'Debug' ? 'Debug' : 'Release';
  return { path: join(packageDir, 'worker', 'out', buildType, 'mediasoup-worker'), from: 'the mediasoup package (MEDIASOUP_WORKER_BIN is unset)' };
}
