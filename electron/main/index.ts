/**
 * Electron main: one window, the IPC contract registered once, the bundled
 * server supervised in a utilityProcess. Everything else lives in plain
 * modules shared with browser mode.
 */
import { join } from 'node:path';
import { app, BrowserWindow, ipcMain, session, shell } from 'electron';
import ElectronStore from 'electron-store';
import { pino } from 'pino';
import { CHANNELS } from '../contract.ts';
import { createDispatcher } from '../ipc/dispatcher.ts';
import { ServerSupervisor } from '../server-supervisor.ts';
import { KeyValueSettingsStore, type KeyValueStore } from '../settings/settings-store.ts';
import { loadStudioConfig } from '../studio-config.ts';
import { createStudioServices } from '../studio-services.ts';
import { utilityServer } from './utility-server.ts';

const config = loadStudioConfig(process.env, app.getPath('userData'));
const logger = pino({ level: config.logLevel, base: { app: 'spacecraft-studio' } });
const settings = new KeyValueSettingsStore(new ElectronStore() as unknown as KeyValueStore);
const supervisor = config.remote
  ? null
  : new ServerSupervisor({
      spawn: utilityServer({ entry: join(import.meta.dirname, 'server.js'), logFile: join(config.dataDir, 'logs', 'server.log') }),
      port: config.serverPort,
      // The server is bundled into out/main; its listener page sits beside it in out/listener.
      env: { SPACECRAFT_LISTENER_DIR: join(import.meta.dirname, '../listener') },
      logger: logger.child({ module: 'supervisor' }),
    });
const services = createStudioServices({ settings, supervisor, remote: config.remote });
const dispatch = createDispatcher(services.handlers, logger);

for (const channel of CHANNELS) ipcMain.handle(channel, (_event, input: unknown) => dispatch(channel, input));

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
    },
  });
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('http://') || url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  const unsubscribe = services.subscribe((event, data) => {
    if (!window.isDestroyed()) window.webContents.send(event, data);
  });
  window.on('closed', unsubscribe);
  if (process.env['ELECTRON_RENDERER_URL']) void window.loadURL(process.env['ELECTRON_RENDERER_URL']);
  else void window.loadFile(join(import.meta.dirname, '../renderer/index.html'));
  return window;
}

void app.whenReady().then(async () => {
  // The studio asks for the microphone only.
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) => callback(permission === 'media'));
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

