/**
 * Browser code the pre-join bench bundles (rolldown, IIFE) and injects into a listener page:
 * a minimal listener on mediasoup-client (its own handler detection, as the page's) speaking our
 * protocol over a WebSocket. `window.__benchPrejoin`:
 *  - `prepare(spaceId)`: everything but the resume, before the "click": joinSpace, createTransport,
 *    consume (the server creates consumers paused), the stream set on an <audio>, connectTransport,
 *    and waits for ICE + DTLS ("connected");
 *  - `resume()`: the click: marks "click", sends resumeConsumer for each consumer;
 *  - `full(spaceId)`: the click, then everything (as the page does today, without its UI).
 * The page hooks (page-hooks.ts) time the requests, replies, peer states and the srcObject.
 */
import { Device } from 'mediasoup-client';
import type { types } from 'mediasoup-client';
import type {} from '../page-hooks.ts';

type Reply = { id?: number; ok?: boolean; data?: unknown; error?: { code: string; message: string } };

class Signalling {
  readonly #socket: WebSocket;
  readonly #pending = new Map<number, { resolve(data: unknown): void; reject(error: Error): void }>();
  #next = 1;

  static open(url: string): Promise<Signalling> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.addEventListener('open', () => resolve(new Signalling(socket)), { once: true });
      socket.addEventListener('error', () => reject(new Error('the socket did not open')), { once: true });
    });
  }

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.addEventListener('message', (event: MessageEvent) => {
      const reply = JSON.parse(String(event.data)) as Reply;
      const pending = reply.id !== undefined ? this.#pending.get(reply.id) : undefined;
      if (!pending) return;
      this.#pending.delete(reply.id!);
      if (reply.ok) pending.resolve(reply.data);
      else pending.reject(new Error(`${reply.error?.code}: ${reply.error?.message}`));
    });
  }

  request<T>(method: string, data: unknown = {}): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (d: unknown) => void, reject });
      this.#socket.send(JSON.stringify({ id, method, data }));
    });
  }

  close(): void {
    this.#socket.close();
  }
}

type Joined = { signalling: Signalling; transport: types.Transport; consumerIds: string[] };
type JoinReply = { space: { hostProducerId: string | null; stage?: Array<{ producerId: string | null }> }; routerRtpCapabilities: types.RtpCapabilities };
type ConsumeReply = { consumerId: string; producerId: string; rtpParameters: types.RtpParameters };

const wsUrl = () => `${location.origin.replace(/^http/, 'ws')}/ws`;
const mark = (label: string) => window.__benchTimeline?.push({ t: performance.timeOrigin + performance.now(), label });
let prepared: Joined | null = null;

async function join(spaceId: string): Promise<Joined> {
  const signalling = await Signalling.open(wsUrl());
  const joined = await signalling.request<JoinReply>('joinSpace', { spaceId });
  const device = new Device();
  await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities });
  const params = await signalling.request<types.TransportOptions>('createTransport', { direction: 'recv' });
  const transport = device.createRecvTransport(params);
  transport.on('connect', ({ dtlsParameters }, ok, fail) => void signalling.request('connectTransport', { transportId: transport.id, dtlsParameters }).then(() => ok(), fail));
  const producerIds = [...new Set([joined.space.hostProducerId, ...(joined.space.stage ?? []).map((m) => m.producerId)])].filter((id): id is string => !!id);
  const consumerIds: string[] = [];
  for (const producerId of producerIds) {
    const c = await signalling.request<ConsumeReply>('consume', { transportId: transport.id, producerId, rtpCapabilities: device.rtpCapabilities });
    const consumer = await transport.consume({ id: c.consumerId, producerId: c.producerId, kind: 'audio', rtpParameters: c.rtpParameters });
    const audio = new Audio();
    audio.srcObject = new MediaStream([consumer.track]);
    consumerIds.push(c.consumerId);
  }
  return { signalling, transport, consumerIds };
}

async function resumeAll(joined: Joined): Promise<void> {
  await Promise.all(joined.consumerIds.map((consumerId) => joined.signalling.request('resumeConsumer', { consumerId })));
}

declare global {
  interface Window {
    __benchPrejoin?: { prepare(spaceId: string): Promise<void>; resume(): Promise<void>; full(spaceId: string): Promise<void> };
  }
}

window.__benchPrejoin = {
  async prepare(spaceId) {
    const joined = await join(spaceId);
    if (joined.transport.connectionState !== 'connected') {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the transport did not connect within 10 s')), 10_000);
        joined.transport.on('connectionstatechange', (state) => {
          if (state === 'connected') {
            clearTimeout(timer);
            resolve();
          }
        });
      });
    }
    prepared = joined;
  },
  async resume() {
    if (!prepared) throw new Error('prepare first');
    mark('click');
    await resumeAll(prepared);
  },
  async full(spaceId) {
    mark('click');
    await resumeAll(await join(spaceId));
  },
};
