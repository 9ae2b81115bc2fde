/**
 * Fast checks that the mediasoup worker in use is the build we mean to ship:
 *
 * - When MEDIASOUP_WORKER_BIN points at our own build (Debian bookworm, see
 *   resources/mediasoup-worker/build-worker.sh), its libsrtp2 is the static one built against
 *   OpenSSL, not Debian's shared libsrtp2 with the NSS backend (2.8x slower):
 *   ldd shows no libnss3 and the binary carries libsrtp's OpenSSL AES-ICM
 *   module ("aes icm ossl"), not the NSS one.
 * - The worker actually spawned is that binary (/proc/<pid>/exe).
 * - The worker runs a WebRtcServer and a WebRtcTransport on 127.0.0.1 with
 *   the server's codecs, and sets up SRTP sessions for every suite, the AES-GCM
 *   ones included (libsrtp's built-in crypto has no AES-GCM: it takes the
 *   OpenSSL or NSS backend).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIO_CODECS } from '../../server/media/worker-pool.ts';

const LOCALHOST = '127.0.0.1';
const workerBinEnv = process.env['MEDIASOUP_WORKER_BIN'];
const onLinux = process.platform === 'linux';
const SKIP_PREBUILT = 'MEDIASOUP_WORKER_BIN is unset: this machine uses the prebuilt mediasoup worker, whose SRTP build is not ours to check';

/** SRTP master key + salt lengths per suite (RFC 3711 / RFC 7714). */
const SRTP_KEY_BYTES: Record<types.SrtpCryptoSuite, number> = {
  AEAD_AES_256_GCM: 32 + 12,
  AEAD_AES_128_GCM: 16 + 12,
  AES_CM_128_HMAC_SHA1_80: 16 + 14,
  AES_CM_128_HMAC_SHA1_32: 16 + 14,
};

describe('the mediasoup worker binary', () => {
  it('is the OpenSSL-backed libsrtp build, not Debian NSS libsrtp2 (ldd, libsrtp crypto module)', (context) => {
    if (!workerBinEnv) return context.skip(SKIP_PREBUILT);
    context.skip(!onLinux, 'ldd and the Debian build only exist on Linux');
    expect(mediasoup.workerBin).toBe(workerBinEnv);

    const ldd = execFileSync('ldd', [workerBinEnv], { encoding: 'utf8' });
    expect(ldd, 'the worker links NSS or a shared libsrtp2 (Debian libsrtp2 uses NSS crypto, ~2.8x slower): rebuild it with resources/mediasoup-worker/build-worker.sh, which links libsrtp2 built with OpenSSL').not.toMatch(/libnss3|libsrtp2\.so/);
    expect(ldd).toMatch(/libcrypto\.so/);

    // libsrtp names its AES-ICM debug module after the crypto backend it was built with.
    const binary = readFileSync(workerBinEnv);
    expect(binary.includes('aes icm ossl'), 'libsrtp OpenSSL AES-ICM module').toBe(true);
    expect(binary.includes('aes icm nss'), 'libsrtp NSS AES-ICM module').toBe(false);
  });
});

let worker: types.Worker;

describe('the mediasoup worker', { timeout: 15_000 }, () => {
  beforeAll(async () => {
    worker = await mediasoup.createWorker({ logLevel: 'warn' });
  });

  afterAll(() => {
    worker?.close();
  });

  it('spawns the configured binary', (context) => {
    if (!workerBinEnv) return context.skip(SKIP_PREBUILT);
    context.skip(!onLinux, '/proc/<pid>/exe is Linux only');
    expect(realpathSync(`/proc/${worker.pid}/exe`)).toBe(realpathSync(workerBinEnv));
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
      expect(producer.kind).toBe('audio');
      transport.close();
    } finally {
      router.close();
      webRtcServer.close();
    }
  });

  it.each(Object.keys(SRTP_KEY_BYTES) as types.SrtpCryptoSuite[])('sets up SRTP sessions with %s', async (suite) => {
    const router = await worker.createRouter({ mediaCodecs: AUDIO_CODECS });
    try {
      const transport = await router.createPlainTransport({
        listenInfo: { protocol: 'udp', ip: LOCALHOST },
        rtcpMux: true,
        comedia: false,
        enableSrtp: true,
        srtpCryptoSuite: suite,
      });
      expect(transport.srtpParameters?.cryptoSuite).toBe(suite);
      expect(Buffer.from(transport.srtpParameters?.keyBase64 ?? '', 'base64')).toHaveLength(SRTP_KEY_BYTES[suite]);
      // connect() creates the libsrtp send and receive sessions: it fails if the suite is unsupported.
      await transport.connect({
        ip: LOCALHOST,
        port: 9,
        srtpParameters: { cryptoSuite: suite, keyBase64: randomBytes(SRTP_KEY_BYTES[suite]).toString('base64') },
      });
      expect(transport.tuple.remotePort).toBe(9);
    } finally {
      router.close();
    }
  });
});
