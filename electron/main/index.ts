/**
 * Electron main: one window, the IPC contract registered once, the bundled
 * server supervised in a utilityProcess. Every security decision lives in
 * ../window-security.ts (plain functions, unit-tested); this file only wires
 * them to Electron's hooks. Everything else lives in plain modules shared with
 * browser mode.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, net, protocol, session, shell } from 'electron';
import ElectronStore from 'electron-store';
import { CHANNELS } from '../contract.ts';
import { bundledDemoData, demoDataOn, DEMO_SIGN_IN_HINT } from '../demo-data.ts';
import { createDispatcher } from '../ipc/dispatcher.ts';
import { ServerSupervisor } from '../server-supervisor.ts';
import { KeyValueSettingsStore, type KeyValueStore } from '../settings/settings-store.ts';
import { loadStudioConfig } from '../studio-config.ts';
import { createStudioLogger } from '../studio-logger.ts';
import { createStudioServices } from '../studio-services.ts';
import { StripeKeysStore } from '../stripe-keys-store.ts';
import {
  APP_SCHEME,
  appAssetPath,
  appPage,
  ipcSenderAllowed,
  navigationDecision,
  permissionAllowed,
  windowOpenDecision,
} from '../window-security.ts';
import { utilityServer } from './utility-server.ts';

// The studio is served from app://studio/, a secure standard scheme: a real origin the server can allow (file pages have none).
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }]);

const RENDERER_DIR = join(import.meta.dirname, '../renderer');
const config = loadStudioConfig(process.env, app.getPath('userData'));
const logger = createStudioLogger(config.logLevel);
// ELECTRON_RENDERER_URL (electron-vite's dev server) only when not packaged.
const page = appPage({ isPackaged: app.isPackaged, rendererUrl: process.env['ELECTRON_RENDERER_URL'] });
const settings = new KeyValueSettingsStore(new ElectronStore({ clearInvalidConfig: true }) as unknown as KeyValueStore);
// The demo accounts on a first run (no database in the data folder yet), or as SPACECRAFT_DEMO_DATA says.
const demoData = bundledDemoData(process.env, config.dataDir);
if (!config.remote && demoDataOn(demoData)) process.stdout.write(DEMO_SIGN_IN_HINT);
// The Stripe keys saved in the studio: the server child gets the file's path, never the keys.
const stripeKeys = new StripeKeysStore(config.dataDir);
const supervisor = config.remote
  ? null
  : new ServerSupervisor({
      spawn: utilityServer({ entry: join(import.meta.dirname, 'server.js'), logFile: join(config.dataDir, 'logs', 'server.log') }),
      port: config.serverPort,
      env: {
        // The server is bundled into out/main; its listener page sits beside it in out/listener.
        SPACECRAFT_LISTENER_DIR: join(import.meta.dirname, '../listener'),
        // The studio page's origin, so the server lets its signalling in.
        SPACECRAFT_ALLOWED_ORIGINS: page.origin,
        // Its database lives in the app's data folder, beside the studio's settings and logs.
        SPACECRAFT_DATA_DIR: config.dataDir,
        SPACECRAFT_DEMO_DATA: demoData,
      },
      launchEnv: () => stripeKeys.serverEnv(),
      logger: logger.child({ module: 'supervisor' }),
    });
const services = createStudioServices({
  settings,
  supervisor,
  remote: config.remote,
  stripeKeys,
  // The track player's files: chosen in the native dialog, read (bounded) by electron/audio-files.ts.
  audioFiles: {
    async choose(extensions) {
      const owner = BrowserWindow.getFocusedWindow();
      const options = { properties: ['openFile' as const], filters: [{ name: 'Audio', extensions: [...extensions] }] };
      const chosen = owner ? await dialog.showOpenDialog(owner, options) : await dialog.showOpenDialog(options);
      return chosen.canceled ? null : (chosen.filePaths[0] ?? null);
    },
  },
});
const dispatch = createDispatcher(services.handlers, logger);

for (const channel of CHANNELS) {
  ipcMain.handle(channel, (event, input: unknown) => {
    if (!ipcSenderAllowed(event.senderFrame?.url, page)) {
      logger.warn({ channel, sender: event.senderFrame?.url }, 'IPC call from a page that is not the studio refused');
      return { ok: false, error: { code: 'PERMISSION_DENIED', message: 'Only the studio page may call the studio.' } };
    }
    return dispatch(channel, input);
  });
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1100,
    height: 760,
    title: 'Spacecraft',
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  const contents = window.webContents;
  contents.setWindowOpenHandler(({ url }) => {
    if (windowOpenDecision(url) === 'open-external') void shell.openExternal(url);
    return { action: 'deny' };
  });
  // A clicked link, a dropped file or a redirect must never replace the studio page (and keep its preload).
  const guard = (event: { url: string; preventDefault(): void }) => {
    const decision = navigationDecision(event.url, page);
    if (decision === 'allow') return;
    event.preventDefault();
    if (decision === 'open-external') void shell.openExternal(event.url);
    else logger.warn({ url: event.url }, 'navigation of the studio window refused');
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  const unsubscribe = services.subscribe((event, data) => {
    if (!window.isDestroyed()) contents.send(event, data);
  });
  window.on('closed', unsubscribe);
  void window.loadURL(page.url);
  return window;
}

void app.whenReady().then(async () => {
  protocol.handle(APP_SCHEME, (request) => {
    const file = appAssetPath(request.url, RENDERER_DIR);
    return file ? net.fetch(pathToFileURL(file).toString()) : new Response('Not found', { status: 404 });
  });
  // The studio asks for the microphone only: audio capture from its own page, nothing else.
  session.defaultSession.setPermissionRequestHandler((contents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? details.mediaTypes : undefined;
    callback(permissionAllowed({ permission, origin: details.requestingUrl || contents.getURL(), mediaTypes: mediaTypes ?? [] }, page));
  });
  session.defaultSession.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    permissionAllowed({ permission, origin: details.securityOrigin ?? requestingOrigin, mediaType: details.mediaType }, page),
  );
  createWindow();
  await supervisor?.start().catch((error: unknown) => logger.error({ err: error }, 'bundled server did not start'));
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

let quitting = false;
app.on('before-quit', (event) => {
  if (quitting || !supervisor) return;
  event.preventDefault();
  quitting = true;
  void supervisor.stop().finally(() => app.quit());
});
app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
