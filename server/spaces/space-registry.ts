/**
 * The Spaces this server carries. Live Spaces are kept in memory (they are
 * rebuilt from the database once Spaces are stored); ended ones leave a small
 * record so a listener opening an old link learns that the Space has ended.
 * A studio token may have at most `liveSpacesPerToken` Spaces live at once.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { SpaceId } from '../domain/space.ts';
import { NotFoundError, SpacecraftError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { SpaceInfo, SpaceState } from '../signalling/protocol.ts';
import { LiveSpace, type LiveSpaceOptions } from './live-space.ts';
import type { SpaceMedia } from './space-media.ts';
import type { SpacePeer } from './space-peer.ts';

const ENDED_KEPT = 1000;

export type RegistryOptions = LiveSpaceOptions & {
  liveSpacesPerToken: number;
  /** Makes the media of a new Space (a mediasoup router on the next worker, or a fake in tests). */
  createMedia: () => Promise<SpaceMedia>;
};

export class SpaceRegistry {
  readonly #options: RegistryOptions;
  readonly #logger: Logger;
  readonly #live = new Map<SpaceId, LiveSpace>();
  readonly #ended = new Map<SpaceId, SpaceState>();
  /** Live and starting Spaces per studio token (keyed by the token's digest, never the token). */
  readonly #perToken = new Map<string, number>();

  constructor(options: RegistryOptions, logger: Logger) {
    this.#options = options;
    this.#logger = logger;
  }

  get liveCount(): number {
    return this.#live.size;
  }

  async start(host: SpacePeer, title: string, studioToken: string): Promise<LiveSpace> {
    const tokenKey = createHash('sha256').update(studioToken).digest('base64url');
    const count = this.#perToken.get(tokenKey) ?? 0;
    if (count >= this.#options.liveSpacesPerToken) {
      throw new SpacecraftError('LIMIT_EXCEEDED', `This studio already has ${count} Spaces live; end one before starting another.`, { limit: this.#options.liveSpacesPerToken });
    }
    this.#perToken.set(tokenKey, count + 1);
    const release = () => {
      const left = (this.#perToken.get(tokenKey) ?? 1) - 1;
      if (left > 0) this.#perToken.set(tokenKey, left);
      else this.#perToken.delete(tokenKey);
    };
    let media: SpaceMedia;
    try {
      media = await this.#options.createMedia();
    } catch (error) {
      release();
      throw error;
    }
    const id = randomBytes(9).toString('base64url') as SpaceId;
    const space = new LiveSpace({ id, title, host, media, logger: this.#logger, options: this.#options });
    this.#live.set(id, space);
    space.on('ended', (state) => {
      release();
      this.#live.delete(id);
      this.#ended.set(id, state);
      if (this.#ended.size > ENDED_KEPT) this.#ended.delete(this.#ended.keys().next().value!);
    });
    return space;
  }

  live(id: string): LiveSpace {
    const space = this.#live.get(id as SpaceId);
    if (space) return space;
    if (this.#ended.has(id as SpaceId)) throw new NotFoundError('This Space has ended.');
    throw new NotFoundError('There is no Space at this link.');
  }

  /** Public state of a live or ended Space, for the listener page. */
  info(id: string): SpaceInfo {
    const live = this.#live.get(id as SpaceId);
    if (live) return { ...live.state(), routerRtpCapabilities: live.media.rtpCapabilities };
    const ended = this.#ended.get(id as SpaceId);
    if (ended) return { ...ended, routerRtpCapabilities: null };
    throw new NotFoundError('There is no Space at this link.');
  }

  async endAll(reason: 'server-shutdown' | 'media-failure'): Promise<void> {
    await Promise.all([...this.#live.values()].map((space) => space.end('server', reason)));
  }
}
