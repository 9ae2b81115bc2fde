/**
 * What the local stand-ins for outside receivers (the push service in push-endpoint.ts, the SMTP
 * server in smtp-sink.ts) have in common: they listen on a free loopback port, keep what they
 * accept in order with its arrival time, let a test wait for a condition over it, refuse the next
 * n deliveries on request (`failNext`), and can wait `acceptDelayMs` before accepting each one.
 */
import type { EventEmitter } from 'node:events';
import type { Server } from 'node:net';

export abstract class TestInbox<T> {
  /** Arrival time of every accepted item (Date.now()). */
  readonly arrivals: number[] = [];
  /** Delay before each item is accepted (for kill tests: a server killed "during sending"). */
  acceptDelayMs = 0;
  /** What was accepted, in order (the subclass names it: `messages`, `all`). */
  protected readonly received: T[] = [];
  readonly #waiters = new Set<() => void>();
  readonly #what: string;
  #failures = 0;

  /** `what`: what a timed-out `waitFor` says it waited for ('push', 'mail'). */
  protected constructor(what: string) {
    this.#what = what;
  }

  /** The next `count` deliveries are refused (each receiver answers as its protocol does). */
  failNext(count: number): void {
    this.#failures = count;
  }

  /** Resolves once `predicate` holds over what arrived (checked on each arrival), or rejects after `timeoutMs`. */
  waitFor(predicate: (inbox: this) => boolean, timeoutMs = 30_000, what = this.#what): Promise<void> {
    if (predicate(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`timed out waiting for ${what} (${this.received.length} received)`));
      }, timeoutMs);
      const check = () => {
        if (!predicate(this)) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
    });
  }

  /** Listens on a free loopback port; resolves with the port. `errors`: where the server's errors are emitted (a wrapper such as SMTPServer re-emits them). */
  protected async listen(server: Server, errors: EventEmitter = server): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      errors.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        errors.off('error', reject);
        resolve();
      });
    });
    return (server.address() as { port: number }).port;
  }

  /** True (and one refusal used up) when this delivery is to be refused. */
  protected refuseThisOne(): boolean {
    if (this.#failures <= 0) return false;
    this.#failures--;
    return true;
  }

  /** Runs `accept` now, or after `acceptDelayMs`. */
  protected afterAcceptDelay(accept: () => void): void {
    if (this.acceptDelayMs > 0) setTimeout(accept, this.acceptDelayMs);
    else accept();
  }

  /** Keeps an accepted item with its arrival time and wakes the waiters. */
  protected keep(item: T): void {
    this.received.push(item);
    this.arrivals.push(Date.now());
    for (const wake of this.#waiters) wake();
  }
}
