/**
 * Receives everyone on a Space's stage: given each `spaceState`, consumes every
 * producer on stage that is not received yet and closes the consumers (and
 * stops the streams) of those that left. Never one's own producer. Used by the
 * listener page and the studio alike.
 *
 *   const receiver = new StageReceiver(media, streamOf, (streams) => …);
 *   receiver.follow(space, myPeerId);   // each state; runs one after another
 *   receiver.close();
 */
import type { types } from 'mediasoup-client';
import type { SpaceState } from '../../server/signalling/protocol.ts';

export type StageStream = { producerId: string; peerId: string; stream: MediaStream };

/** The part of MediaSession this needs. */
export type Listening = { listen(producerId: string): Promise<types.Consumer> };

type Received = { consumer: types.Consumer; stream: StageStream };

export class StageReceiver {
  readonly #media: Listening;
  readonly #streamOf: (track: MediaStreamTrack) => MediaStream;
  readonly #onChange: (streams: readonly StageStream[]) => void;
  readonly #received = new Map<string, Received>();
  #wanted = new Map<string, string>();
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(media: Listening, streamOf: (track: MediaStreamTrack) => MediaStream, onChange: (streams: readonly StageStream[]) => void) {
    this.#media = media;
    this.#streamOf = streamOf;
    this.#onChange = onChange;
  }

  get streams(): readonly StageStream[] {
    return [...this.#received.values()].map((r) => r.stream);
  }

  /** Brings what is received in line with `space`'s stage; resolves when done (states are handled in order). */
  follow(space: SpaceState, myPeerId: string | null): Promise<void> {
    this.#wanted = wantedOf(space, myPeerId);
    this.#queue = this.#queue.then(() => this.#sync()).catch(() => undefined);
    return this.#queue;
  }

  close(): void {
    this.#closed = true;
    for (const producerId of [...this.#received.keys()]) this.#drop(producerId);
  }

  async #sync(): Promise<void> {
    if (this.#closed) return;
    let changed = false;
    for (const producerId of [...this.#received.keys()]) {
      if (!this.#wanted.has(producerId)) changed = this.#drop(producerId) || changed;
    }
    for (const [producerId, peerId] of this.#wanted) {
      if (this.#received.has(producerId)) continue;
      let consumer: types.Consumer;
      try {
        consumer = await this.#media.listen(producerId);
      } catch {
        // It left the stage while we asked for it (the next state says so); the others still play.
        continue;
      }
      if (this.#closed || !this.#wanted.has(producerId)) {
        consumer.close();
        continue;
      }
      this.#received.set(producerId, { consumer, stream: { producerId, peerId, stream: this.#streamOf(consumer.track) } });
      changed = true;
    }
    if (changed) this.#onChange(this.streams);
  }

  #drop(producerId: string): boolean {
    const received = this.#received.get(producerId);
    if (!received) return false;
    this.#received.delete(producerId);
    received.consumer.close();
    for (const track of received.stream.stream.getTracks()) track.stop();
    if (this.#closed) this.#onChange(this.streams);
    return true;
  }
}

/**
 * Producer id → peer id of everyone publishing on stage but me (the host's producer always counts).
 * A listener off stage in a large Space consumes the program stream (the stage mixed) instead;
 * someone on stage never does (it carries their own voice back).
 */
export function wantedOf(space: SpaceState, me: string | null): Map<string, string> {
  const wanted = new Map<string, string>();
  const onStage = me !== null && (space.stage ?? []).some((member) => member.peerId === me);
  if (space.programProducerId && !onStage) return wanted.set(space.programProducerId, 'program');
  for (const member of space.stage ?? []) if (member.producerId && member.peerId !== me) wanted.set(member.producerId, member.peerId);
  const host = space.stage?.find((member) => member.role === 'host');
  if (space.hostProducerId && host?.peerId !== me && !wanted.has(space.hostProducerId)) wanted.set(space.hostProducerId, host?.peerId ?? 'host');
  return wanted;
}
