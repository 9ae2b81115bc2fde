/**
 * Instrumentation the benchmark adds to every page it opens (an init script),
 * and readers for what it keeps. Runs in the browser, so each exported
 * function is self-contained.
 */

/** A page's timeline: signalling requests and replies, peer connection states, srcObject, in wall-clock ms. */
export type Mark = { t: number; label: string };

/** Cumulative WebRTC receive statistics of a page's audio (inbound-rtp), for deltas. */
export type ReceiveStats = { jitterBufferDelayS: number; jitterBufferTargetDelayS: number; emitted: number; concealed: number; samples: number };

declare global {
  interface Window {
    /** Microphone streams the app opened, oldest first. */
    __benchMicStreams?: MediaStream[];
    /** Peer connections the app created (mediasoup-client's). */
    __benchPeers?: RTCPeerConnection[];
    __benchTimeline?: Mark[];
    /** Called with each MediaStream set as a srcObject, if set. */
    __benchOnStream?: (stream: MediaStream) => void;
  }
}

export function installPageHooks(): void {
  const wall = (t: number) => performance.timeOrigin + t;
  const mark = (label: string) => window.__benchTimeline!.push({ t: wall(performance.now()), label });
  window.__benchMicStreams = [];
  window.__benchPeers = [];
  window.__benchTimeline = [];
  const devices = navigator.mediaDevices;
  if (devices) {
    const getUserMedia = devices.getUserMedia.bind(devices);
    devices.getUserMedia = async (constraints) => {
      const stream = await getUserMedia(constraints);
      window.__benchMicStreams!.push(stream);
      return stream;
    };
  }
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      window.__benchPeers!.push(this);
      this.addEventListener('connectionstatechange', () => mark(`peer ${this.connectionState}`));
    }
  };
  // Signalling: the app's requests are JSON { id, method, data }; replies carry the id.
  const NativeSocket = window.WebSocket;
  window.WebSocket = class extends NativeSocket {
    readonly #methods = new Map<unknown, string>();
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      mark('socket opening');
      this.addEventListener('open', () => mark('socket open'));
      this.addEventListener('message', (event: MessageEvent) => {
        try {
          const id: unknown = (JSON.parse(String(event.data)) as { id?: unknown }).id;
          if (this.#methods.has(id)) mark(`← ${this.#methods.get(id)}`);
        } catch {
          // not JSON: not ours to time
        }
      });
    }
    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      if (typeof data === 'string') {
        try {
          const { id, method } = JSON.parse(data) as { id?: unknown; method?: unknown };
          if (typeof method === 'string') {
            this.#methods.set(id, method);
            mark(`→ ${method}`);
          }
        } catch {
          // not JSON: not ours to time
        }
      }
      super.send(data as string);
    }
  };
  const descriptor = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'srcObject')!;
  Object.defineProperty(HTMLMediaElement.prototype, 'srcObject', {
    ...descriptor,
    set(this: HTMLMediaElement, value: MediaProvider | null) {
      descriptor.set!.call(this, value);
      if (value instanceof MediaStream) {
        mark('stream set');
        window.__benchOnStream?.(value);
      }
    },
  });
  // 'click' when the browser got the input; 'click dispatched' when the page's JavaScript sees it.
  document.addEventListener(
    'click',
    (event) => {
      window.__benchTimeline!.push({ t: wall(event.timeStamp), label: 'click' });
      mark('click dispatched');
    },
    true,
  );
}

export function readTimeline(): Mark[] {
  return window.__benchTimeline ?? [];
}

export async function readReceiveStats(): Promise<ReceiveStats> {
  const total: ReceiveStats = { jitterBufferDelayS: 0, jitterBufferTargetDelayS: 0, emitted: 0, concealed: 0, samples: 0 };
  for (const peer of window.__benchPeers ?? []) {
    if (peer.signalingState === 'closed') continue;
    (await peer.getStats()).forEach((s: Record<string, unknown>) => {
      if (s['type'] !== 'inbound-rtp' || s['kind'] !== 'audio') return;
      total.jitterBufferDelayS += Number(s['jitterBufferDelay'] ?? 0);
      total.jitterBufferTargetDelayS += Number(s['jitterBufferTargetDelay'] ?? 0);
      total.emitted += Number(s['jitterBufferEmittedCount'] ?? 0);
      total.concealed += Number(s['concealedSamples'] ?? 0);
      total.samples += Number(s['totalSamplesReceived'] ?? 0);
    });
  }
  return total;
}
