/**
 * Reminder e-mail over SMTP (`nodemailer`, `SPACECRAFT_SMTP_URL`, a pooled connection). Each
 * message carries a Message-ID derived from its ledger key: a message re-sent after a crash (sent,
 * but not yet recorded as sent) has the same Message-ID as the first, so a receiver that
 * de-duplicates by Message-ID shows it once. Every message has `List-Unsubscribe` with RFC 8058
 * one-click (`List-Unsubscribe-Post`).
 */
import { createHash } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import { SpacecraftError } from '../errors.ts';

export type ReminderMail = {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The ledger key: the Message-ID is made from it. */
  idempotencyKey: string;
  unsubscribeUrl: string;
  /** The `.ics`: attached to a reminder, or sent as the calendar invitation itself (its method). */
  calendar: { content: string; as: 'attachment' | 'invitation'; method: 'REQUEST' | 'CANCEL' | 'PUBLISH' } | null;
};

export interface MailSender {
  send(mail: ReminderMail): Promise<void>;
  close(): void;
}

export const EMAIL_NOT_CONFIGURED = 'E-mail is not configured on this server (SPACECRAFT_SMTP_URL is not set), so reminders cannot be sent by e-mail. Choose browser push or the calendar download instead.';

export function messageIdFor(idempotencyKey: string, domain: string): string {
  return `<${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 40)}@${domain}>`;
}

export class SmtpMailer implements MailSender {
  readonly #transport: Transporter;
  readonly #from: string;
  readonly #domain: string;

  constructor(smtpUrl: string, from: string) {
    const url = new URL(smtpUrl);
    if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new SpacecraftError('VALIDATION', 'SPACECRAFT_SMTP_URL must be an smtp:// or smtps:// URL.');
    this.#transport = nodemailer.createTransport({
      host: url.hostname,
      port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
      secure: url.protocol === 'smtps:',
      ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
      // Plain SMTP only to a loopback relay (tests, a local MTA); anywhere else STARTTLS is required.
      ignoreTLS: isLoopback(url.hostname),
      requireTLS: url.protocol === 'smtp:' && !isLoopback(url.hostname),
      pool: true,
      maxConnections: 4,
      maxMessages: Infinity,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
    this.#from = from;
    this.#domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'spacecraft.invalid';
  }

  async send(mail: ReminderMail): Promise<void> {
    const calendar = mail.calendar;
    await this.#transport.sendMail({
      from: this.#from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: messageIdFor(mail.idempotencyKey, this.#domain),
      list: { unsubscribe: { url: mail.unsubscribeUrl, comment: 'Unsubscribe from Spacecraft reminders' } },
      headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click', 'Auto-Submitted': 'auto-generated' },
      ...(calendar?.as === 'invitation' ? { icalEvent: { method: calendar.method, filename: 'space.ics', content: calendar.content } } : {}),
      ...(calendar?.as === 'attachment' ? { attachments: [{ filename: 'space.ics', content: calendar.content, contentType: `text/calendar; charset=utf-8; method=${calendar.method}` }] } : {}),
    });
  }

  close(): void {
    this.#transport.close();
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}
