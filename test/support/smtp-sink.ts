/**
 * A real SMTP server for tests (`smtp-server` on a loopback port): every message it accepts is
 * parsed (`mailparser`) and kept. Like a mailbox provider, it shows a message once per Message-ID
 * (`unique()`), and it also keeps every accepted copy (`all`) so a test can see re-sends.
 * `failNext(n)` refuses the next n messages with a temporary error (451).
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { TestInbox } from './test-inbox.ts';

export type SinkMail = ParsedMail & { envelopeTo: string[]; raw: string };

export class SmtpSink extends TestInbox<SinkMail> {
  /** Connection errors, e.g. a sender killed in the middle of a message (the crash tests do that). */
  readonly errors: string[] = [];
  readonly #server: SMTPServer;
  port = 0;

  private constructor(parse: boolean) {
    super('mail');
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
          if (this.refuseThisOne()) {
            callback(Object.assign(new Error('Try again later'), { responseCode: 451 }));
            return;
          }
          const finish = () =>
            (parse ? simpleParser(raw) : Promise.resolve(lightParse(raw))).then(
              (parsed) => {
                this.keep(Object.assign(parsed, { envelopeTo: session.envelope.rcptTo.map((r) => r.address), raw: parse ? raw : '' }));
                callback();
              },
              (error: Error) => callback(error),
            );
          this.afterAcceptDelay(() => void finish());
        });
      },
    });
    this.#server.on('error', (error) => this.errors.push(String(error)));
  }

  /** `parse: false` (benchmarks): only the Message-ID and subject are read, not the whole message. */
  static async start(options: { parse?: boolean } = {}): Promise<SmtpSink> {
    const sink = new SmtpSink(options.parse ?? true);
    // SMTPServer.listen is its net server's; errors come out of SMTPServer.
    sink.port = await sink.listen(sink.#server.server, sink.#server);
    return sink;
  }

  /** Every accepted copy, re-sends included. */
  get all(): SinkMail[] {
    return this.received;
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

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

function lightParse(raw: string): ParsedMail {
  const header = raw.slice(0, raw.search(/\r?\n\r?\n/));
  const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(header)?.[1]?.trim();
  return { messageId: field('Message-ID'), subject: field('Subject'), attachments: [], headers: new Map(), headerLines: [], html: false } as unknown as ParsedMail;
}
