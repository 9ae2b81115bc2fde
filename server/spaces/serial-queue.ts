/** Runs tasks one after another; a failing task does not stop the next. */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  push<T>(task: () => Promise<T> | T): Promise<T> {
    const run = this.#tail.then(task, task);
    this.#tail = run.catch(() => undefined);
    return run;
  }
}
