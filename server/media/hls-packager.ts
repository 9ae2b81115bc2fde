/**
 * The overflow tier of a Space: its program stream packaged as low-latency HLS (fMP4/CMAF
 * segments) by an ffmpeg child, written to a folder of its own that `server/http/hls-routes.ts`
 * serves over plain HTTP, so any cache or CDN can carry it.
 *
 *   program Producer → Consumer → PlainTransport → udp → ffmpeg (Opus copied, not re-encoded)
 *        → index.m3u8 + init.mp4 + seg-N.m4s (short segments, the oldest deleted)
 *
 * Debian 12's ffmpeg (5.1) has no LL-HLS parts (`#EXT-X-PART`): the latency comes from short
 * whole segments (1 s by default) and a short playlist. The Opus frames are copied as they come
 * (no decode, no encode), so packaging costs little CPU.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { types } from 'mediasoup';
import { TypedEmitter } from '../lib/typed-emitter.ts';
import type { Logger } from '../logger.ts';
import { freeUdpPortPair } from './udp-ports.ts';
import { SupervisedChild } from '../lib/supervised-child.ts';

export type HlsPackagerOptions = {
  /** The folder this Space's files go to (made, and removed on close). */
  dir: string;
  segmentSeconds: number;
  /** Segments kept in the playlist. */
  listSize?: number;
  /** ffmpeg when not given. */
  command?: string;
  logger: Logger;
};

export type HlsPackagerEvents = { close: [] };

const LOOPBACK = '127.0.0.1';
export const PLAYLIST = 'index.m3u8';
/** The files a packager writes: what the HTTP route may serve. */
export const HLS_FILE = /^(index\.m3u8|init\.mp4|seg-\d{1,9}\.m4s)$/;

export function packagerArgs(input: { sdpPath: string; dir: string; segmentSeconds: number; listSize: number }): string[] {
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'warning',
    '-protocol_whitelist', 'file,udp,rtp', '-fflags', '+genpts', '-i', input.sdpPath,
    '-map', '0:a', '-c:a', 'copy',
    '-f', 'hls',
    '-hls_time', String(input.segmentSeconds),
    '-hls_list_size', String(input.listSize),
    '-hls_segment_type', 'fmp4',
    '-hls_fmp4_init_filename', 'init.mp4',
    '-hls_flags', 'delete_segments+independent_segments+omit_endlist+temp_file',
    '-hls_segment_filename', join(input.dir, 'seg-%d.m4s'),
    join(input.dir, PLAYLIST),
  ];
}

export class HlsPackager {
  readonly dir: string;
  readonly #transport: types.PlainTransport;
  readonly #args: string[];
  readonly #log: Logger;
  readonly #command: string;
  readonly #events: TypedEmitter<HlsPackagerEvents>;
  #process: SupervisedChild | null = null;
  #closed = false;

  static async create(router: types.Router, programProducerId: string, options: HlsPackagerOptions): Promise<HlsPackager> {
    await rm(options.dir, { recursive: true, force: true });
    await mkdir(options.dir, { recursive: true, mode: 0o700 });
    const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOOPBACK }, rtcpMux: false, comedia: false, appData: { hls: true } });
    try {
      const port = await freeUdpPortPair();
      await transport.connect({ ip: LOOPBACK, port, rtcpPort: port + 1 });
      const consumer = await transport.consume({ producerId: programProducerId, rtpCapabilities: router.rtpCapabilities, paused: true });
      const codec = consumer.rtpParameters.codecs[0]!;
      const sdpPath = join(options.dir, 'program.sdp');
      await writeFile(
        sdpPath,
        ['v=0', `o=- 0 0 IN IP4 ${LOOPBACK}`, 's=program', `c=IN IP4 ${LOOPBACK}`, 't=0 0', `m=audio ${port} RTP/AVP ${codec.payloadType}`, `a=rtpmap:${codec.payloadType} opus/48000/2`, ''].join('\n'),
      );
      const args = packagerArgs({ sdpPath, dir: options.dir, segmentSeconds: options.segmentSeconds, listSize: options.listSize ?? 6 });
      const packager = new HlsPackager(transport, args, options);
      packager.#spawn();
      // ffmpeg binds its port while it opens the SDP: only then does the program flow to it.
      setTimeout(() => void consumer.resume().catch(() => undefined), 300).unref();
      consumer.observer.once('close', () => packager.close());
      return packager;
    } catch (error) {
      transport.close();
      await rm(options.dir, { recursive: true, force: true });
      throw error;
    }
  }

  private constructor(transport: types.PlainTransport, args: string[], options: HlsPackagerOptions) {
    this.dir = options.dir;
    this.#transport = transport;
    this.#args = args;
    this.#command = options.command ?? 'ffmpeg';
    this.#log = options.logger.child({ module: 'hls-packager' });
    this.#events = new TypedEmitter((error, event) => this.#log.error({ err: error, event }, 'hls listener failed'));
    transport.observer.once('close', () => this.close());
  }

  get closed(): boolean {
    return this.#closed;
  }

  get pid(): number | undefined {
    return this.#process?.pid;
  }

  on<K extends keyof HlsPackagerEvents>(event: K, listener: (...args: HlsPackagerEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#transport.close();
    // The files go once ffmpeg has gone (it would write them again).
    const stopped = this.#process?.stop() ?? Promise.resolve();
    void stopped.then(() => rm(this.dir, { recursive: true, force: true })).catch(() => undefined);
    this.#events.safeEmit('close');
    this.#events.removeAllListeners();
  }

  #spawn(): void {
    this.#process = SupervisedChild.start({ command: this.#command, args: this.#args, name: 'packager', logger: this.#log, onGiveUp: () => this.close() });
  }
}
