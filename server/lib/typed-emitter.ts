/**
 * A small typed event emitter (mediasoup's `safeEmit` idea): every listener
 * runs even when an earlier one throws; a throw is reported, never propagated
 * into the code that emitted. Pure TypeScript.
 */
export type EventMap = Record<string, unknown[]>;
type Listener<A extends unknown[]> = (...args: A) => void;

export class TypedEmitter<E extends EventMap> {
  readonly #listeners = new Map<keyof E, Set<Listener<unknown[]>>>();
  readonly #onListenerError: (error: unknown, event: keyof E) => void;

  constructor(onListenerError: (error: unknown, event: keyof E) => void) {
    this.#onListenerError = onListenerError;
  }

  /** Adds a listener; returns its removal. */
  on<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as unknown as Listener<unknown[]>);
    return () => void set.delete(listener as unknown as Listener<unknown[]>);
  }

  once<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    const off = this.on(event, ((...args: E[K]) => {
      off();
      listener(...args);
    }) as Listener<E[K]>);
    return off;
  }

  safeEmit<K extends keyof E>(event: K, ...args: E[K]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(...args);
      } catch (error) {
        this.#onListenerError(error, event);
      }
    }
  }

  listenerCount(event: keyof E): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  removeAllListeners(): void {
    this.#listeners.clear();
  }
}
