/**
 * The studio's "Stripe keys" (issue #9): what the IPC contract's `studio:stripe:*` methods do.
 * Saving writes the keys to the data folder (./stripe-keys-store.ts) and restarts the bundled
 * server, whose environment then names the file; removing deletes it and restarts the server
 * without. Changes run one at a time. What comes back is only the key's kind and last four
 * characters. With a remote server there is nothing to set here: its keys live on that server.
 */
import { SpacecraftError } from '../server/errors.ts';
import { StripeKeysFileError } from '../server/payments/stripe-keys-file.ts';
import { maskedSecretKey, type StripeKeys } from '../server/payments/stripe-keys.ts';
import type { StripeKeysStatus } from './contract.ts';
import type { StripeKeysStore } from './stripe-keys-store.ts';

export const REMOTE_KEYS_MESSAGE = 'This studio works with a remote server: its Stripe keys are set on that server.';

export class StudioStripeKeys {
  readonly #store: StripeKeysStore | null;
  readonly #restartServer: () => Promise<unknown>;
  readonly #remote: boolean;
  #queue: Promise<unknown> = Promise.resolve();

  /** `remote`: the studio uses a server it does not start (nothing to keep here); `store` null: nowhere to keep keys. */
  constructor(deps: { remote: boolean; store: StripeKeysStore | null; restartServer: () => Promise<unknown> }) {
    this.#remote = deps.remote;
    this.#store = deps.remote ? null : deps.store;
    this.#restartServer = deps.restartServer;
  }

  status(): StripeKeysStatus {
    if (this.#remote) return { server: 'remote', saved: null, problem: null };
    if (!this.#store) return { server: 'bundled', saved: null, problem: null };
    try {
      const keys = this.#store.read();
      return { server: 'bundled', saved: keys && { secretKey: maskedSecretKey(keys.secretKey), livemode: keys.secretKey.includes('_live_') }, problem: null };
    } catch (error) {
      if (error instanceof StripeKeysFileError) return { server: 'bundled', saved: null, problem: `${error.message}. Save the keys again, or remove them.` };
      throw error;
    }
  }

  save(keys: StripeKeys): Promise<StripeKeysStatus> {
    return this.#change((store) => store.save(keys));
  }

  remove(): Promise<StripeKeysStatus> {
    return this.#change((store) => store.remove());
  }

  #change(write: (store: StripeKeysStore) => void): Promise<StripeKeysStatus> {
    const store = this.#store;
    if (!store) return Promise.reject(new SpacecraftError('UNAVAILABLE', this.#remote ? REMOTE_KEYS_MESSAGE : 'This studio has no data folder to keep Stripe keys in.'));
    const run = async () => {
      try {
        write(store);
      } catch (error) {
        throw new SpacecraftError('UNAVAILABLE', `The Stripe keys could not be changed in ${store.dir} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
      }
      try {
        await this.#restartServer();
      } catch (error) {
        throw new SpacecraftError('UNAVAILABLE', `The Stripe keys are changed, but the server did not restart: ${error instanceof Error ? error.message : String(error)}`);
      }
      return this.status();
    };
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}
