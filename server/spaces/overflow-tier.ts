/**
 * The HLS overflow tier of this node: for each live Space that needs it, the program stream
 * (MediaRoom.program()) packaged by an HlsPackager into `<root>/<spaceId>/`, made on the first
 * request for it and gone when the Space ends (the program closes with the Space's router, the
 * packager with the program). Handing out a URL asks the `OverflowAccess` hook first (the ticket
 * check of ticketed Spaces plugs in there) and signs it (HlsSigner); serving a file checks only
 * the signature.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { HlsSigner } from '../http/hls-signing.ts';
import { HLS_FILE, HlsPackager, PLAYLIST } from '../media/hls-packager.ts';
import type { ProgramMixer } from '../media/program-mixer.ts';
import { NotFoundError, PermissionError, SpacecraftError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { SpaceRegistry } from './space-registry.ts';

/** Who asks for a Space's overflow URL. */
export type OverflowRequest = { spaceId: string; ip: string; authorization: string | undefined };

export type OverflowAccess = {
  /** Whether this caller may listen to this Space at all (a ticketed Space: whether they hold a ticket). */
  mayListen(request: OverflowRequest): Promise<boolean>;
};

/** Every live Space is open to anyone with its link until a ticket check is plugged in. */
export const OPEN_ACCESS: OverflowAccess = { mayListen: async () => true };

/** Media that can make a program stream (MediaRoom does; test fakes need not). */
type ProgramSource = { program(): Promise<ProgramMixer> };
const hasProgram = (media: object): media is ProgramSource => typeof (media as Partial<ProgramSource>).program === 'function';

export type OverflowTierOptions = {
  registry: SpaceRegistry;
  /** Root folder of the packaged Spaces (a temp or cache folder, never the repository). */
  root: string;
  segmentSeconds: number;
  signer: HlsSigner;
  access: OverflowAccess;
  logger: Logger;
  /** How long a first request waits for the first segment. */
  firstSegmentTimeoutMs?: number;
};

export type OverflowUrl = { playlistUrl: string; expiresAt: string; behindSeconds: number };

export class OverflowTier {
  readonly #options: OverflowTierOptions;
  readonly #log: Logger;
  readonly #packagers = new Map<string, Promise<HlsPackager>>();
  #closed = false;

  constructor(options: OverflowTierOptions) {
    this.#options = options;
    this.#log = options.logger.child({ module: 'overflow-tier' });
  }

  /** Spaces packaged now. */
  get size(): number {
    return this.#packagers.size;
  }

  /**
   * A signed playlist URL (a path on this server) of a live Space's overflow stream, its packaging
   * started if it was not; waits for the first segment so the player's first load finds it.
   */
  async urlFor(request: OverflowRequest): Promise<OverflowUrl> {
    const space = this.#options.registry.ifLive(request.spaceId);
    if (!space || space.space.status !== 'live') throw new NotFoundError('That Space is not live.');
    if (!(await this.#options.access.mayListen(request))) throw new PermissionError('This Space needs a ticket to listen.');
    const packager = await this.#packager(request.spaceId, space.media);
    await this.#firstSegment(packager);
    const { token, expiresAt } = this.#options.signer.token(request.spaceId);
    return {
      playlistUrl: `/hls/${encodeURIComponent(request.spaceId)}/${token}/${PLAYLIST}`,
      expiresAt: new Date(expiresAt * 1000).toISOString(),
      // hls.js starts three segments behind the live edge (liveSyncDurationCount), plus one being written.
      behindSeconds: Math.ceil(this.#options.segmentSeconds * 4),
    };
  }

  /** The file to serve for a request that passed the signature check, or null (not packaged, not such a file). */
  async file(spaceId: string, name: string): Promise<string | null> {
    if (!HLS_FILE.test(name)) return null;
    const packager = this.#packagers.has(spaceId) ? await this.#packagers.get(spaceId)!.catch(() => null) : null;
    if (!packager || packager.closed) return null;
    const path = join(packager.dir, name);
    return (await stat(path).catch(() => null))?.isFile() ? path : null;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const packager of this.#packagers.values()) void packager.then((p) => p.close()).catch(() => undefined);
    this.#packagers.clear();
  }

  #packager(spaceId: string, media: object): Promise<HlsPackager> {
    if (this.#closed) throw new SpacecraftError('UNAVAILABLE', 'The server is stopping.');
    let packager = this.#packagers.get(spaceId);
    if (packager) return packager;
    if (!hasProgram(media)) throw new SpacecraftError('UNAVAILABLE', 'This Space has no program stream to package.');
    packager = (async () => {
      const mixer = await media.program();
      const made = await HlsPackager.create(mixer.router, mixer.producer.id, {
        dir: join(this.#options.root, spaceId),
        segmentSeconds: this.#options.segmentSeconds,
        logger: this.#options.logger,
      });
      this.#log.info({ spaceId }, 'overflow packaging started');
      return made;
    })();
    this.#packagers.set(spaceId, packager);
    packager.then(
      (made) => {
        if (this.#closed) made.close();
        made.on('close', () => {
          if (this.#packagers.get(spaceId) === packager) this.#packagers.delete(spaceId);
        });
      },
      (error: unknown) => {
        this.#log.warn({ err: error, spaceId }, 'overflow packaging failed');
        if (this.#packagers.get(spaceId) === packager) this.#packagers.delete(spaceId);
      },
    );
    return packager;
  }

  async #firstSegment(packager: HlsPackager): Promise<void> {
    const deadline = Date.now() + (this.#options.firstSegmentTimeoutMs ?? 10_000);
    const playlist = join(packager.dir, PLAYLIST);
    while (!(await stat(playlist).catch(() => null))) {
      if (packager.closed) throw new SpacecraftError('UNAVAILABLE', 'The overflow stream of this Space stopped.');
      if (Date.now() > deadline) throw new SpacecraftError('UNAVAILABLE', 'The overflow stream of this Space is not ready yet; try again in a few seconds.');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
