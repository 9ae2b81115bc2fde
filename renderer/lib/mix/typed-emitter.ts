/** A small typed event emitter: a listener that throws does not stop the others. */
export class TypedEmitter<Events extends Record<string, unknown[]>> {
  readonly #listeners = new Map<keyof Events, Set<unknown>>();

  on<E extends keyof Events>(event: E, listener: (...args: Events[E]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => void set.delete(listener);
  }

  emit<E extends keyof Events>(event: E, ...args: Events[E]): void {
    for (const listener of this.#listeners.get(event) ?? []) {
      try {
        (listener as (...a: Events[E]) => void)(...args);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
