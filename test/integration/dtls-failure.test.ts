/**
 * A transport whose DTLS fails is closed at once, and frees its place: a real
 * WebRTC peer in Node (libwebrtc from @roamhq/wrtc under mediasoup-client)
 * connects with a fingerprint that is not its certificate's.
 */
import wrtc from '@roamhq/wrtc';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { Device } from 'mediasoup-client';
import type { types as clientTypes } from 'mediasoup-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { SignallingClient } from '../../renderer/lib/signalling-client.ts';
import { openRaw, type RawClient } from '../support/raw-client.ts';
import { startTestServer, type TestServer } from '../support/server-fixture.ts';
import { connectClient } from '../support/signalling.ts';

const g = globalThis as Record<string, unknown>;
for (const name of ['RTCPeerConnection', 'RTCSessionDescription', 'RTCIceCandidate', 'MediaStream', 'MediaStreamTrack']) {
  g[name] ??= (wrtc as unknown as Record<string, unknown>)[name];
}

let server: TestServer | null = null;
let host: RawClient | null = null;
let listener: SignallingClient | null = null;
let device: Device | null = null;
const transports: types.Transport[] = [];
const dtlsStates = new Map<string, string[]>();
const onWorker = (worker: types.Worker) =>
  worker.observer.on('newrouter', (router) =>
    router.observer.on('newtransport', (transport) => {
      transports.push(transport);
      const states: string[] = [];
      dtlsStates.set(transport.id, states);
      (transport as types.WebRtcTransport).on('dtlsstatechange', (state) => states.push(state));
    }),
  );

afterEach(async () => {
  mediasoup.observer.off('newworker', onWorker);
  listener?.close();
  host?.socket.terminate();
  await server?.close();
  transports.length = 0;
});

describe('DTLS failure', () => {
  it('closes the transport of a peer whose certificate does not match its fingerprint, and lets it make another', async () => {
    mediasoup.observer.on('newworker', onWorker);
    server = await startTestServer();
    host = await openRaw(server.url, { origin: server.url });
    await host.request('signIn', { sessionToken: server.hostToken });
    const created = (await host.request('createSpace', { title: 'DTLS' })).data as { space: { spaceId: string } };
    const send = (await host.request('createTransport', { direction: 'send' })).data as { id: string };
    const rtpParameters = { mid: '0', codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 2222 }], rtcp: { cname: 'h' } };
    const produced = (await host.request('produce', { transportId: send.id, kind: 'audio', rtpParameters })).data as { producerId: string };

    listener = await connectClient(server.url);
    const joined = await listener.request('joinSpace', { spaceId: created.space.spaceId });
    device = new Device({ handlerName: 'Chrome111' });
    await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities as clientTypes.RtpCapabilities });
    const options = await listener.request('createTransport', { direction: 'recv' });
    const recv = device.createRecvTransport(options as clientTypes.TransportOptions);
    const signalling = listener;
    recv.on('connect', ({ dtlsParameters }, callback, errback) => {
      // The fingerprint of another certificate: the handshake completes, the check fails.
      const forged = { ...dtlsParameters, fingerprints: dtlsParameters.fingerprints.map((f) => ({ ...f, value: f.value.replace(/^../, f.value.startsWith('00') ? '11' : '00') })) };
      signalling.request('connectTransport', { transportId: recv.id, dtlsParameters: forged }).then(() => callback(), errback);
    });
    const consumed = await listener.request('consume', { transportId: recv.id, producerId: produced.producerId, rtpCapabilities: device.rtpCapabilities as types.RtpCapabilities });
    await recv.consume({ id: consumed.consumerId, producerId: consumed.producerId, kind: 'audio', rtpParameters: consumed.rtpParameters as clientTypes.RtpParameters });

    const serverSide = transports.find((t) => t.id === recv.id)!;
    expect(serverSide).toBeDefined();
    await expect.poll(() => serverSide.closed, { timeout: 10_000 }).toBe(true);
    expect(dtlsStates.get(recv.id)).toEqual(['connecting', 'failed']);
    // Its place is free again: a new receiving transport is allowed.
    await expect(listener.request('createTransport', { direction: 'recv' })).resolves.toMatchObject({ id: expect.any(String) });
    recv.close();
  });
});
