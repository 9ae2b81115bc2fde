/**
 * The preload exposes one narrow transport for the IPC contract: it accepts only
 * the contract's channels, and the renderer builds `window.studio` from the same
 * contract on top of it (as browser mode does over its WebSocket). Replies are
 * plain `{ ok, data | error }` objects, so typed error codes survive the
 * context bridge (thrown errors would lose them). No raw ipcRenderer leaks.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { CHANNELS, EVENT_CHANNELS, type IpcReply, type StudioTransport } from '../contract.ts';

const transport: StudioTransport = {
  invoke: async (channel, input) => {
    if (!CHANNELS.includes(channel)) return { ok: false, error: { code: 'UNKNOWN_METHOD', message: 'Unknown studio method.' } };
    return (await ipcRenderer.invoke(channel, input)) as IpcReply;
  },
  subscribe: (channel, listener) => {
    if (!EVENT_CHANNELS.includes(channel)) return () => undefined;
    const wrapped = (_event: unknown, data: unknown) => listener(data);
    ipcRenderer.on(channel, wrapped);
    return () => void ipcRenderer.off(channel, wrapped);
  },
};

contextBridge.exposeInMainWorld('studioTransport', transport);
