/**
 * `window.studio`: the IPC contract as an API. In Electron the preload gives a
 * transport over IPC; in browser mode the same calls travel over a WebSocket
 * to the bridge that served this page.
 */
import {
  BRIDGE_PATH,
  createStudioApi,
  type BridgeMessage,
  type IpcReply,
  type StudioApi,
  type StudioTransport,
} from '../../electron/contract.ts';

declare global {
  interface Window {
    studioTransport?: StudioTransport;
    studio: StudioApi;
  }
}

export function webSocketTransport(url: string): StudioTransport {
  const pending = new Map<number, (reply: IpcReply) => void>();
  const listeners = new Map<string, Set<(data: unknown) => void>>();
  let nextId = 1;
  const socket = new WebSocket(url);
  const opened = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error('bridge unreachable')), { once: true });
  });
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as BridgeMessage;
    if ('event' in message) for (const listener of listeners.get(message.event) ?? []) listener(message.data);
    else if (message.id !== null) {
      pending.get(message.id)?.(message.reply);
      pending.delete(message.id);
    }
  });
  socket.addEventListener('close', () => {
    for (const resolve of pending.values()) resolve({ ok: false, error: { code: 'UNAVAILABLE', message: 'The studio stopped.' } });
    pending.clear();
  });
  return {
    invoke: async (channel, input) => {
      await opened;
      const id = nextId++;
      return new Promise<IpcReply>((resolve) => {
        pending.set(id, resolve);
        socket.send(JSON.stringify({ id, channel, input }));
      });
    },
    subscribe: (channel, listener) => {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
  };
}

export function installStudio(): StudioApi {
  const bridgeUrl = new URL(BRIDGE_PATH, window.location.href);
  bridgeUrl.protocol = bridgeUrl.protocol === 'https:' ? 'wss:' : 'ws:';
  window.studio = createStudioApi(window.studioTransport ?? webSocketTransport(bridgeUrl.toString()));
  return window.studio;
}
