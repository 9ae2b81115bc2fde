/**
 * The Spaces this server carries. Live Spaces are kept in memory and stored
 * (SpaceRecords): a Space's record is made when it starts (or a scheduled one
 * goes live) and closed when it ends. Ended ones also leave a small record in
 * memory so a listener opening an old link learns that the Space has ended.
 * An account may have at most `liveSpacesPerAccount` Spaces live at once.
 */
import type { SpaceId } from '../domain/space.ts';
import { NotFoundError, SpacecraftError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { SpaceInfo, SpaceState } from '../signalling/protocol.ts';
import { LiveSpace, type LiveSpaceOptions } from './live-space.ts';
import type { SpaceMedia } from './space-media.ts';
import type { SpaceRecords } from './space-records.ts';
import type { PeerAccount, SpacePeer } from './space-peer.ts';

const ENDED_KEPT = 1000;

export type RegistryOptions = LiveSpaceOptions & {
  liveSpacesPerAccount: number;
  records: SpaceRecords;
  /** Makes the media of a new Space (a mediasoup router on the next worker, or a fake in tests). */
  createMedia: () => Promise<SpaceMedia>;
  /** Told of each Space that goes live or is restored (live captions follow it). */
  onLive?: (space: LiveSpace, hostAccountId: string) => void;
};

export class SpaceRegistry {
  readonly #options: RegistryOptions;
  readonly #logger: Logger;
  readonly #live = new Map<SpaceId, LiveSpace>();
  readonly #ended = new Map<SpaceId, SpaceState>();
  /** Live and starting Spaces per host account. */
  readonly #perAccount = new Map<string, number>();
  /** Record writes still in flight (awaited before the database closes). */
  readonly #writes = new Set<Promise<void>>();

  constructor(options: RegistryOptions, logger: Logger) {
    this.#options = options;
    this.#logger = logger;
  }

  get liveCount(): number {
    return this.#live.size;
  }

  /** Starts a Space hosted by `hostAccountId` now, or one of its scheduled Spaces (`scheduledSpaceId`). */
  async start(host: SpacePeer, input: { title: string; hostAccountId: string; scheduledSpaceId?: string }): Promise<LiveSpace> {
    const { hostAccountId } = input;
    const count = this.#perAccount.get(hostAccountId) ?? 0;
    if (count >= this.#options.liveSpacesPerAccount) {
      throw new SpacecraftError('LIMIT_EXCEEDED', `You already have ${count} Spaces live; end one before starting another.`, { limit: this.#options.liveSpacesPerAccount });
    }
    this.#perAccount.set(hostAccountId, count + 1);
    const release = () => this.#release(hostAccountId);
    let media: SpaceMedia;
    let id: SpaceId;
    let title = input.title;
    try {
      const { records } = this.#options;
      const stored = input.scheduledSpaceId
        ? await records.goLive(input.scheduledSpaceId as SpaceId, hostAccountId)
        : await records.createLive({ hostAccountId, title: input.title });
      id = stored.id;
      title = stored.title;
      try {
        media = await this.#options.createMedia();
      } catch (error) {
        await records.markEnded(id, 'media-failure', new Date());
        throw error;
      }
    } catch (error) {
      release();
      throw error;
    }
    const space = new LiveSpace({ id, title, host, media, logger: this.#logger, options: this.#options });
    this.#track(space, hostAccountId);
    return space;
  }

  /**
   * Brings back the Spaces a previous run left live (it stopped without ending them: a crash).
   * Each waits `graceMs` for its host's account to take it back; one whose host account is gone,
   * or whose media cannot be made, is ended in the records. Returns how many came back.
   */
  async restore(hostOf: (accountId: string) => Promise<PeerAccount | null>, graceMs: number): Promise<number> {
    let restored = 0;
    for (const stored of await this.#options.records.listLive()) {
      let media: SpaceMedia;
      let host: PeerAccount | null;
      try {
        host = await hostOf(stored.hostAccountId);
        if (!host) throw new Error('its host account is gone');
        media = await this.#options.createMedia();
      } catch (error) {
        this.#logger.warn({ err: error, spaceId: stored.id }, 'a Space left live by the last run could not be restored; ending it');
        await this.#options.records.markEnded(stored.id, 'server-shutdown', new Date());
        continue;
      }
      this.#perAccount.set(stored.hostAccountId, (this.#perAccount.get(stored.hostAccountId) ?? 0) + 1);
      this.#track(LiveSpace.restore({ id: stored.id, title: stored.title, host, media, logger: this.#logger, options: this.#options, graceMs }), stored.hostAccountId);
      restored++;
    }
    return restored;
  }

  #release(hostAccountId: string): void {
    const left = (this.#perAccount.get(hostAccountId) ?? 1) - 1;
    if (left > 0) this.#perAccount.set(hostAccountId, left);
    else this.#perAccount.delete(hostAccountId);
  }

  /** Keeps a live Space until it ends; then frees its host's place, keeps a note of it, and stores its end. */
  #track(space: LiveSpace, hostAccountId: string): void {
    const id = space.id;
    this.#live.set(id, space);
    this.#options.onLive?.(space, hostAccountId);
    space.on('ended', (state) => {
      this.#release(hostAccountId);
      this.#live.delete(id);
      this.#ended.set(id, state);
      if (this.#ended.size > ENDED_KEPT) this.#ended.delete(this.#ended.keys().next().value!);
      const reason = space.space.endReason ?? 'server-shutdown';
      const stored = this.#options.records
        .markEnded(id, reason, new Date())
        .catch((error: unknown) => this.#logger.error({ err: error, spaceId: id }, 'could not store the end of a Space'))
        .finally(() => this.#writes.delete(stored));
      this.#writes.add(stored);
    });
  }

  live(id: string): LiveSpace {
    const space = this.#live.get(id as SpaceId);
    if (space) return space;
    if (this.#ended.has(id as SpaceId)) throw new NotFoundError('This Space has ended.');
    throw new NotFoundError('There is no Space at this link.');
  }

  /** Every live Space (the cluster's origin publishes them). */
  all(): IterableIterator<LiveSpace> {
    return this.#live.values();
  }

  /** The live Space with this id, or undefined. */
  ifLive(id: string): LiveSpace | undefined {
    return this.#live.get(id as SpaceId);
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
    await Promise.all(this.#writes);
  }
}
