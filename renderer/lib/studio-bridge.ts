/**
 * `window.studio`: the IPC contract as an API. In Electron the preload gives a
 * transport over IPC; in browser mode the same calls travel over a WebSocket
 * to the bridge that served this page. The bridge lets in only a page that
 * knows the per-run key from the printed URL (`#key=…`): the page keeps it in
 * sessionStorage (it survives reloads, stays in this tab), takes it out of the
 * address bar, and offers it as a WebSocket subprotocol.
 */
import {
  BRIDGE_KEY_PREFIX,
  BRIDGE_PATH,
  BRIDGE_PROTOCOL,
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

const KEY_STORAGE = 'spacecraft.bridgeKey';
const KEY_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

const NO_KEY: IpcReply = {
  ok: false,
  error: { code: 'PERMISSION_DENIED', message: 'Open the studio with the full link printed where it was started (it carries the studio’s key).' },
};
const UNREACHABLE: IpcReply = {
  ok: false,
  error: { code: 'UNAVAILABLE', message: 'Cannot reach the studio. If it was restarted, open the new link printed where it was started.' },
};
const STOPPED: IpcReply = { ok: false, error: { code: 'UNAVAILABLE', message: 'The studio stopped.' } };

/** The bridge key from `#key=…` (moved into sessionStorage, out of the address bar) or from an earlier load of this tab. */
export function takeBridgeKey(location: Location, storage: Storage, history: History): string | null {
  const fromUrl = new URLSearchParams(location.hash.slice(1)).get('key');
  if (fromUrl !== null && KEY_PATTERN.test(fromUrl)) {
    storage.setItem(KEY_STORAGE, fromUrl);
    history.replaceState(history.state, '', `${location.pathname}${location.search}`);
    return fromUrl;
  }
  const stored = storage.getItem(KEY_STORAGE);
  return stored !== null && KEY_PATTERN.test(stored) ? stored : null;
}

export function webSocketTransport(url: string, key: string | null): StudioTransport {
  const pending = new Map<number, (reply: IpcReply) => void>();
  const listeners = new Map<string, Set<(data: unknown) => void>>();
  let nextId = 1;
  const socket = key === null ? null : new WebSocket(url, [BRIDGE_PROTOCOL, `${BRIDGE_KEY_PREFIX}${key}`]);
  const opened = new Promise<boolean>((resolve) => {
    if (!socket) return resolve(false);
    socket.addEventListener('open', () => resolve(true), { once: true });
    socket.addEventListener('error', () => resolve(false), { once: true });
    socket.addEventListener('close', () => resolve(false), { once: true });
  });
  socket?.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as BridgeMessage;
    if ('event' in message) for (const listener of listeners.get(message.event) ?? []) listener(message.data);
    else if (message.id !== null) {
      pending.get(message.id)?.(message.reply);
      pending.delete(message.id);
    }
  });
  socket?.addEventListener('close', () => {
    for (const resolve of pending.values()) resolve(STOPPED);
    pending.clear();
  });
  return {
    invoke: async (channel, input) => {
      if (!socket) return NO_KEY;
      if (!(await opened) || socket.readyState !== WebSocket.OPEN) return UNREACHABLE;
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
  if (window.studioTransport) {
    window.studio = createStudioApi(window.studioTransport);
    return window.studio;
  }
  const bridgeUrl = new URL(BRIDGE_PATH, window.location.href);
  bridgeUrl.protocol = bridgeUrl.protocol === 'https:' ? 'wss:' : 'ws:';
  bridgeUrl.hash = '';
  const key = takeBridgeKey(window.location, window.sessionStorage, window.history);
  window.studio = createStudioApi(webSocketTransport(bridgeUrl.toString(), key));
  return window.studio;
}
