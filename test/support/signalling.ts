/**
 * The renderer's own SignallingClient in Node tests. Node's WebSocket sends no
 * Origin, like any native client (listener protocol only); a studio page sends
 * its origin, which `origin` imitates (Node's WebSocket takes extra headers).
 */
import { SignallingClient, signallingUrl } from '../../renderer/lib/signalling-client.ts';
import type { NotificationData, NotificationName } from '../../server/signalling/protocol.ts';

export async function connectClient(serverUrl: string, options: { origin?: string } = {}): Promise<SignallingClient> {
  if (!options.origin) return SignallingClient.connect(signallingUrl(serverUrl));
  const Native = globalThis.WebSocket;
  const headers = { origin: options.origin };
  globalThis.WebSocket = class extends Native {
    constructor(url: string | URL) {
      super(url, { headers } as unknown as string[]);
    }
  };
  try {
    return await SignallingClient.connect(signallingUrl(serverUrl));
  } finally {
    globalThis.WebSocket = Native;
  }
}

/** The next notification `name` that satisfies `where`. */
export function nextNotification<N extends NotificationName>(
  client: SignallingClient,
  name: N,
  where: (data: NotificationData<N>) => boolean = () => true,
): Promise<NotificationData<N>> {
  return new Promise((resolve) => {
    const off = client.on(name, (data) => {
      if (!where(data)) return;
      off();
      resolve(data);
    });
  });
}
