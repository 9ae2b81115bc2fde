/**
 * Fast checks that the mediasoup worker in use is the build we mean to ship:
 *
 * - The binary is where mediasoup looks for it (MEDIASOUP_WORKER_BIN, else the
 *   package's worker/out/Release/mediasoup-worker, where `./spacecraft setup`
 *   puts it) and is the one actually spawned (/proc/<pid>/exe). No worker
 *   there fails the test: it is never skipped.
 * - Its libsrtp is built against OpenSSL, not Debian's shared libsrtp2 with the
 *   NSS backend (2.8x slower, see resources/mediasoup-worker/build-worker.sh):
 *   ldd shows no libnss3 or libsrtp2.so, and the binary carries libsrtp's
 *   OpenSSL AES-ICM module ("aes icm ossl"), not the NSS one.
 * - The worker runs a WebRtcServer and a WebRtcTransport on 127.0.0.1 with
 *   the server's codecs.
 * - SRTP works for every suite, the AES-GCM ones included (libsrtp's built-in
 *   crypto has no AES-GCM: it takes the OpenSSL or NSS backend): RTP sent
 *   between two SRTP PlainTransports of the worker arrives, every packet, with
 *   the suite's auth tag on the wire; with the wrong key none is accepted.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync, realpathSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIO_CODECS } from '../../server/media/worker-pool.ts';
import { missingToolMessage } from '../support/require-tool.ts';
import { locateWorkerBin } from '../support/worker-bin.ts';

const LOCALHOST = '127.0.0.1';
const onLinux = process.platform === 'linux';
const WORKER_BIN = locateWorkerBin();

/** SRTP master key + salt lengths per suite (RFC 3711 / RFC 7714). */
const SRTP_KEY_BYTES: Record<types.SrtpCryptoSuite, number> = {
  AEAD_AES_256_GCM: 32 + 12,
  AEAD_AES_128_GCM: 16 + 12,
  AES_CM_128_HMAC_SHA1_80: 16 + 14,
  AES_CM_128_HMAC_SHA1_32: 16 + 14,
};
/** SRTP authentication tag bytes per RTP packet. */
const SRTP_TAG_BYTES: Record<types.SrtpCryptoSuite, number> = {
  AEAD_AES_256_GCM: 16,
  AEAD_AES_128_GCM: 16,
  AES_CM_128_HMAC_SHA1_80: 10,
  AES_CM_128_HMAC_SHA1_32: 4,
};
const SUITES = Object.keys(SRTP_KEY_BYTES) as types.SrtpCryptoSuite[];

function workerBinMissing(): string | null {
  try {
    accessSync(WORKER_BIN.path, constants.X_OK);
    return null;
  } catch {
    return missingToolMessage('The mediasoup worker', `no executable at ${WORKER_BIN.path}, from ${WORKER_BIN.from}`);
  }
}

describe('the mediasoup worker binary', () => {
  it('is an executable where mediasoup looks for it', () => {
    expect(workerBinMissing()).toBeNull();
    expect(mediasoup.workerBin, `mediasoup looks elsewhere than ${WORKER_BIN.from}`).toBe(WORKER_BIN.path);
  });

  it('is the OpenSSL-backed libsrtp build, not Debian NSS libsrtp2 (ldd, libsrtp crypto module)', (context) => {
    context.skip(!onLinux, 'ldd exists on Linux only');
    const missing = workerBinMissing();
    if (missing) throw new Error(missing);

    const ldd = execFileSync('ldd', [WORKER_BIN.path], { encoding: 'utf8' });
    expect(ldd, 'the worker links NSS or a shared libsrtp2 (Debian libsrtp2 uses NSS crypto, ~2.8x slower): rebuild it with resources/mediasoup-worker/build-worker.sh, which links libsrtp2 built with OpenSSL').not.toMatch(/libnss3|libsrtp2\.so/);

    // libsrtp names its AES-ICM debug module after the crypto backend it was built with.
    const binary = readFileSync(WORKER_BIN.path);
    expect(binary.includes('aes icm ossl'), 'libsrtp OpenSSL AES-ICM module').toBe(true);
    expect(binary.includes('aes icm nss'), 'libsrtp NSS AES-ICM module').toBe(false);
    // OpenSSL itself: the system's shared libcrypto (our build) or linked in statically (mediasoup's prebuilt).
    expect(/libcrypto\.so/.test(ldd) || binary.includes('OpenSSL 3.'), 'OpenSSL linked').toBe(true);
  });
});

let worker: types.Worker;

describe('the mediasoup worker', { timeout: 15_000 }, () => {
  beforeAll(async () => {
    const missing = workerBinMissing();
    if (missing) throw new Error(missing);
    worker = await mediasoup.createWorker({ logLevel: 'warn' });
  });

  afterAll(() => {
    worker?.close();
  });

  it('spawns the binary mediasoup locates', (context) => {
    context.skip(!onLinux, '/proc/<pid>/exe exists on Linux only');
    expect(realpathSync(`/proc/${worker.pid}/exe`)).toBe(realpathSync(WORKER_BIN.path));
  });

  it('runs a WebRtcServer and a WebRtcTransport on 127.0.0.1 with the server codecs', async () => {
    const webRtcServer = await worker.createWebRtcServer({
      listenInfos: [
        { protocol: 'udp', ip: LOCALHOST },
        { protocol: 'tcp', ip: LOCALHOST },
      ],
    });
    const router = await worker.createRouter({ mediaCodecs: AUDIO_CODECS });
    try {
      const opus = router.rtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === 'audio/opus');
      expect(opus).toMatchObject({ clockRate: 48000, channels: 2 });

      const transport = await router.createWebRtcTransport({ webRtcServer, enableUdp: true, enableTcp: true, preferUdp: true });
      expect(transport.iceState).toBe('new');
      expect(transport.dtlsState).toBe('new');
      expect(transport.iceParameters.usernameFragment).toMatch(/\S{8,}/);
      expect(transport.dtlsParameters.fingerprints.map((f) => f.algorithm)).toContain('sha-256');

      const candidates = transport.iceCandidates;
      expect(candidates.map((c) => c.protocol).sort()).toEqual(['tcp', 'udp']);
      for (const candidate of candidates) {
        expect(candidate.address).toBe(LOCALHOST);
        expect(candidate.port).toBeGreaterThan(0);
      }
      // The transport rides on the server's sockets rather than opening its own.
      const serverDump = await webRtcServer.dump();
      const serverPorts = serverDump.udpSockets.concat(serverDump.tcpServers).map((s) => s.port).sort((a, b) => a - b);
      expect(candidates.map((c) => c.port).sort((a, b) => a - b)).toEqual(serverPorts);
      expect(serverDump.webRtcTransportIds).toContain(transport.id);

      const producer = await transport.produce({
        kind: 'audio',
        rtpParameters: {
          mid: '0',
          codecs: [{ mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: 111, parameters: { useinbandfec: 1 } }],
          encodings: [{ ssrc: 1234 }],
        },
      });
      // What the worker itself holds, not the object built in this process.
      const transportDump = await transport.dump();
      expect(transportDump.producerIds).toEqual([producer.id]);
      const producerDump = await producer.dump();
      expect(producerDump).toMatchObject({ id: producer.id, kind: 'audio', paused: false });
      expect(producerDump.rtpParameters.encodings?.map((e) => e.ssrc)).toEqual([1234]);
      transport.close();
    } finally {
      router.close();
      webRtcServer.close();
    }
  });

  describe('SRTP between two PlainTransports', () => {
    const SOURCE_SSRC = 2222;
    const SOURCE_PAYLOAD_TYPE = 100;
    const PACKETS = 40;
    const PAYLOAD_BYTES = 120;

    /** An RTP packet (version 2, no CSRC or extension) with a recognisable payload. */
    function rtpPacket(sequence: number): Buffer {
      const packet = Buffer.alloc(12 + PAYLOAD_BYTES, sequence & 0xff);
      packet[0] = 0x80;
      packet[1] = SOURCE_PAYLOAD_TYPE;
      packet.writeUInt16BE(sequence, 2);
      packet.writeUInt32BE(sequence * 960, 4);
      packet.writeUInt32BE(SOURCE_SSRC, 8);
      return packet;
    }

    /**
     * direct producer -> consumer on `sender` (SRTP with `suite`) -> UDP on 127.0.0.1 ->
     * `receiver` (SRTP) -> producer. `receiverKey` is the key the receiver decrypts with:
     * the sender's own key, unless a test gives another.
     */
    async function srtpPipe(suite: types.SrtpCryptoSuite, options: { receiverKey?: string } = {}) {
      const router = await worker.createRouter({ mediaCodecs: AUDIO_CODECS });
      const direct = await router.createDirectTransport();
      const source = await direct.produce({
        kind: 'audio',
        rtpParameters: {
          codecs: [{ mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: SOURCE_PAYLOAD_TYPE }],
          encodings: [{ ssrc: SOURCE_SSRC }],
        },
      });
      const listenInfo: types.TransportListenInfo = { protocol: 'udp', ip: LOCALHOST };
      const transportOptions = { listenInfo, rtcpMux: true, comedia: false, enableSrtp: true, srtpCryptoSuite: suite };
      const sender = await router.createPlainTransport(transportOptions);
      const receiver = await router.createPlainTransport(transportOptions);
      // Each transport's srtpParameters is its own sending key; connect() gives it the peer's.
      const senderKey = sender.srtpParameters?.keyBase64 ?? '';
      const receiverKey = receiver.srtpParameters?.keyBase64 ?? '';
      expect(sender.srtpParameters?.cryptoSuite).toBe(suite);
      expect(Buffer.from(senderKey, 'base64')).toHaveLength(SRTP_KEY_BYTES[suite]);
      expect(Buffer.from(receiverKey, 'base64')).toHaveLength(SRTP_KEY_BYTES[suite]);
      expect(senderKey).not.toBe(receiverKey);
      await sender.connect({ ip: LOCALHOST, port: receiver.tuple.localPort, srtpParameters: { cryptoSuite: suite, keyBase64: receiverKey } });
      await receiver.connect({ ip: LOCALHOST, port: sender.tuple.localPort, srtpParameters: { cryptoSuite: suite, keyBase64: options.receiverKey ?? senderKey } });
      const consumer = await sender.consume({ producerId: source.id, rtpCapabilities: router.rtpCapabilities });
      const received = await receiver.produce({ kind: 'audio', rtpParameters: consumer.rtpParameters });
      for (let i = 0; i < PACKETS; i++) {
        source.send(rtpPacket(i + 1));
        if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      // Every packet has left the sender (in clear-text RTP bytes, as mediasoup counts them).
      const sent = async () => (await consumer.getStats()).find((s) => s.type === 'outbound-rtp');
      await expect.poll(async () => (await sent())?.packetCount, { timeout: 5_000 }).toBe(PACKETS);
      return { router, sender, receiver, consumer, received, sent };
    }

    it.each(SUITES)('%s: every packet arrives, decrypted, with the suite tag on the wire', async (suite) => {
      const { router, sender, receiver, received, sent } = await srtpPipe(suite);
      try {
        const receivedPackets = async () => (await received.getStats()).reduce((n, s) => n + s.packetCount, 0);
        await expect.poll(receivedPackets, { timeout: 5_000 }).toBe(PACKETS);
        const [producerStats] = await received.getStats();
        expect(producerStats).toMatchObject({ packetsLost: 0, ssrc: expect.any(Number) });
        const consumerStats = await sent();
        // Encrypted on the wire: each packet carries the suite's authentication tag (plus a little SRTCP).
        const [senderStats] = await sender.getStats();
        const [receiverStats] = await receiver.getStats();
        const tags = SRTP_TAG_BYTES[suite] * PACKETS;
        expect(senderStats!.bytesSent - consumerStats!.byteCount).toBeGreaterThanOrEqual(tags);
        expect(senderStats!.bytesSent - consumerStats!.byteCount).toBeLessThan(tags + 500);
        // Decrypted at the other end: the receiver counts the RTP bytes in the clear, as sent.
        expect(receiverStats!.rtpBytesReceived).toBe(consumerStats!.byteCount);
        expect(producerStats!.byteCount).toBe(consumerStats!.byteCount);
      } finally {
        router.close();
      }
    });

    it.each(SUITES)('%s: with the wrong key the packets arrive and none is accepted', async (suite) => {
      const wrongKey = randomBytes(SRTP_KEY_BYTES[suite]).toString('base64');
      const { router, receiver, received } = await srtpPipe(suite, { receiverKey: wrongKey });
      try {
        const bytesReceived = async () => (await receiver.getStats())[0]?.bytesReceived ?? 0;
        await expect.poll(bytesReceived, { timeout: 5_000 }).toBeGreaterThanOrEqual(PACKETS * (12 + PAYLOAD_BYTES));
        const [receiverStats] = await receiver.getStats();
        expect(receiverStats!.rtpBytesReceived).toBe(0);
        expect((await received.getStats()).reduce((n, s) => n + s.packetCount, 0)).toBe(0);
      } finally {
        router.close();
      }
    });
  });
});
