/**
 * mediasoup-client for one connection: a Device, at most one send and one
 * receive transport. Lives in a plain class, never inside components.
 *
 *   publish(track)      the program mix, or a speaker's microphone (one producer per connection)
 *   unpublish()         off the stage: closes the producer and the sending transport (the server closed its side)
 *   listen(producerId)  one consumer per producer on stage; close the consumer to stop receiving it
 *   holdConsumers()     from now on consumers stay paused (on the server too) until resumeHeld(): a listener page
 *                       prepared before its listener pressed play
 *   resumeHeld()        resumes every held consumer (in parallel); later ones resume as they come
 */
import { Device } from 'mediasoup-client';
import type { types } from 'mediasoup-client';
import { publishProfileOf } from './mix/publish-profile.ts';
import type { SignallingClient } from './signalling-client.ts';

export class MediaSession {
  readonly #signalling: SignallingClient;
  readonly #device: Device;
  #send: types.Transport | null = null;
  #recv: types.Transport | null = null;
  #closed = false;
  /** Consumers kept paused until `resumeHeld()`; null when consumers resume as they come. */
  #held: types.Consumer[] | null = null;
  readonly #stateListeners = new Set<(direction: 'send' | 'recv', state: types.ConnectionState) => void>();

  /** `handlerName` names the WebRTC engine where it cannot be detected (libwebrtc under Node in tests). */
  static async create(signalling: SignallingClient, routerRtpCapabilities: Record<string, unknown>, options: { handlerName?: 'Chrome111' } = {}): Promise<MediaSession> {
    const device = options.handlerName ? new Device({ handlerName: options.handlerName }) : await Device.factory();
    await device.load({ routerRtpCapabilities: routerRtpCapabilities as types.RtpCapabilities });
    return new MediaSession(signalling, device);
  }

  private constructor(signalling: SignallingClient, device: Device) {
    this.#signalling = signalling;
    this.#device = device;
  }

  /** Publishes an audio track (the program mix, as its publish profile asks: see lib/mix/publish-profile.ts); returns its Producer. */
  async publish(track: MediaStreamTrack, options: { stereo?: boolean; maxBitrate?: number } = {}): Promise<types.Producer> {
    const transport = (this.#send ??= await this.#transport('send'));
    const profile = publishProfileOf(track);
    const producer = await transport.produce({
      track,
      codecOptions: {
        opusStereo: options.stereo ?? profile?.stereo ?? false,
        opusDtx: false,
        opusFec: true,
        opusMaxAverageBitrate: options.maxBitrate ?? profile?.maxAverageBitrate ?? 64_000,
      },
      ...(profile ? { encodings: [{ maxBitrate: profile.maxBitrate() }] } : {}),
      stopTracks: false,
    });
    profile?.onProducer(producer);
    return producer;
  }

  /** Stops publishing: the sending transport and its producer close (a later publish opens a new one). */
  unpublish(): void {
    this.#send?.close();
    this.#send = null;
  }

  /** Receives a producer's audio; resolves once the server forwards it. */
  async listen(producerId: string): Promise<types.Consumer> {
    const transport = (this.#recv ??= await this.#transport('recv'));
    const params = await this.#signalling.request('consume', {
      transportId: transport.id,
      producerId,
      rtpCapabilities: this.#device.rtpCapabilities,
    });
    const consumer = await transport.consume({
      id: params.consumerId,
      producerId: params.producerId,
      kind: 'audio',
      // mediasoup knows more header extension URIs than mediasoup-client's type lists; the values are the same.
      rtpParameters: params.rtpParameters as types.RtpParameters,
    });
    if (this.#held) this.#held.push(consumer);
    else await this.#signalling.request('resumeConsumer', { consumerId: consumer.id });
    return consumer;
  }

  /** Consumers made from now on stay paused (the server creates them paused) until `resumeHeld()`. */
  holdConsumers(): void {
    this.#held ??= [];
  }

  /** Resumes every held consumer still open, all at once; consumers made later resume as they come. */
  async resumeHeld(): Promise<void> {
    const held = this.#held ?? [];
    this.#held = null;
    await Promise.all(held.filter((c) => !c.closed).map((c) => this.#signalling.request('resumeConsumer', { consumerId: c.id })));
  }

  /** ICE/DTLS connection state of this session's transports ('connected', 'disconnected', 'failed', …). */
  onConnectionState(listener: (direction: 'send' | 'recv', state: types.ConnectionState) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#send?.close();
    this.#recv?.close();
  }

  async #transport(direction: 'send' | 'recv'): Promise<types.Transport> {
    const options = await this.#signalling.request('createTransport', { direction });
    const params = options;
    const transport = direction === 'send' ? this.#device.createSendTransport(params) : this.#device.createRecvTransport(params);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.#signalling
        .request('connectTransport', { transportId: transport.id, dtlsParameters })
        .then(() => callback(), errback);
    });
    transport.on('connectionstatechange', (state) => {
      for (const listener of this.#stateListeners) listener(direction, state);
    });
    if (direction === 'send') {
      transport.on('produce', ({ rtpParameters }, callback, errback) => {
        this.#signalling
          .request('produce', { transportId: transport.id, kind: 'audio', rtpParameters })
          .then(({ producerId }) => callback({ id: producerId }), errback);
      });
    }
    return transport;
  }
}
