/**
 * Live captions for every Space of this server: each Space that goes live gets its SpaceCaptions
 * (its host's vocabulary and rules loaded); `drain()` waits for their last writes before the
 * database closes. Without an engine command the server runs no captions (requests say UNAVAILABLE).
 */
import type { Logger } from '../logger.ts';
import type { LiveSpace } from '../spaces/live-space.ts';
import { SpaceCaptions, type SpaceCaptionsDeps } from './space-captions.ts';

export class CaptionService {
  readonly #deps: SpaceCaptionsDeps;
  readonly #log: Logger;
  readonly #running = new Set<SpaceCaptions>();
  readonly #starting = new Set<Promise<unknown>>();

  constructor(deps: SpaceCaptionsDeps) {
    this.#deps = deps;
    this.#log = deps.logger.child({ module: 'captions' });
  }

  /** Captions follow this Space from now on (a failure to load its host's settings leaves it without, and says so in the log). */
  attach(space: LiveSpace, hostAccountId: string): void {
    const started = SpaceCaptions.attach(space, hostAccountId, this.#deps).then(
      (captions) => {
        this.#running.add(captions);
        space.on('ended', () => {
          void captions.drain().finally(() => this.#running.delete(captions));
        });
      },
      (error: unknown) => this.#log.error({ err: error, spaceId: space.id }, 'captions could not start for this Space; it goes on without them'),
    );
    this.#starting.add(started);
    void started.finally(() => this.#starting.delete(started));
  }

  /** Every Space's captions closed and stored. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.#starting]);
    for (const captions of this.#running) captions.close();
    await Promise.allSettled([...this.#running].map((captions) => captions.drain()));
  }
}
