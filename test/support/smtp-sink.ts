/**
 * A real SMTP server for tests (`smtp-server` on a loopback port): every message it accepts is
 * parsed (`mailparser`) and kept. Like a mailbox provider, it shows a message once per Message-ID
 * (`unique()`), and it also keeps every accepted copy (`all`) so a test can see re-sends.
 * `failNext(n)` refuses the next n messages with a temporary error (451).
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export type SinkMail = ParsedMail & { envelopeTo: string[]; raw: string };

export class SmtpSink {
  readonly all: SinkMail[] = [];
  readonly #server: SMTPServer;
  readonly #waiters = new Set<() => void>();
  #failures = 0;
  /** Delay before each message is accepted (for kill tests: a server killed "during sending"). */
  acceptDelayMs = 0;
  port = 0;

  /** Arrival time of every accepted copy (ms, performance.timeOrigin-based Date.now()). */
  readonly arrivals: number[] = [];

  private constructor(parse: boolean) {
    this.#server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      size: 5 * 1024 * 1024,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          if (this.#failures > 0) {
            this.#failures--;
            callback(Object.assign(new Error('Try again later'), { responseCode: 451 }));
            return;
          }
          const finish = () =>
            (parse ? simpleParser(raw) : Promise.resolve(lightParse(raw))).then(
              (parsed) => {
                this.all.push(Object.assign(parsed, { envelopeTo: session.envelope.rcptTo.map((r) => r.address), raw: parse ? raw : '' }));
                this.arrivals.push(Date.now());
                for (const wake of this.#waiters) wake();
                callback();
              },
              (error: Error) => callback(error),
            );
          if (this.acceptDelayMs > 0) setTimeout(() => void finish(), this.acceptDelayMs);
          else void finish();
        });
      },
    });
  }

  /** `parse: false` (benchmarks): only the Message-ID and subject are read, not the whole message. */
  static async start(options: { parse?: boolean } = {}): Promise<SmtpSink> {
    const sink = new SmtpSink(options.parse ?? true);
    await new Promise<void>((resolve, reject) => {
      sink.#server.once('error', reject);
      sink.#server.listen(0, '127.0.0.1', () => resolve());
    });
    sink.port = (sink.#server.server.address() as { port: number }).port;
    return sink;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Messages as a mailbox shows them: one per Message-ID. */
  unique(): SinkMail[] {
    const seen = new Map<string, SinkMail>();
    for (const mail of this.all) if (!seen.has(mail.messageId ?? '')) seen.set(mail.messageId ?? `none-${seen.size}`, mail);
    return [...seen.values()];
  }

  to(address: string): SinkMail[] {
    return this.unique().filter((mail) => mail.envelopeTo.includes(address));
  }

  failNext(count: number): void {
    this.#failures = count;
  }

  /** Resolves once `predicate` holds over what arrived (checked on each arrival), or rejects after `timeoutMs`. */
  waitFor(predicate: (sink: SmtpSink) => boolean, timeoutMs = 30_000, what = 'mail'): Promise<void> {
    if (predicate(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`timed out waiting for ${what} (${this.all.length} received)`));
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

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

function lightParse(raw: string): ParsedMail {
  const header = raw.slice(0, raw.search(/\r?\n\r?\n/));
  const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(header)?.[1]?.trim();
  return { messageId: field('Message-ID'), subject: field('Subject'), attachments: [], headers: new Map(), headerLines: [], html: false } as unknown as ParsedMail;
}
