/**
 * Every signalling connection of this server: admits new ones (origin and
 * per-IP rate checked at the upgrade, before any WebSocket exists), and runs
 * one heartbeat timer for all of them instead of one per connection.
 */
import type { WebSocket } from 'ws';
import { STUDIO_APP_ORIGIN } from '../config-fields.ts';
import type { AccountService } from '../accounts/account-service.ts';
import type { ServerConfig } from '../config.ts';
import { PermissionError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { TicketGate } from '../payments/ticket-access.ts';
import type { SpaceRegistry } from '../spaces/space-registry.ts';
import type { Handlers } from './handlers/handler.ts';
import { EdgeLimits } from './limits.ts';
import { Session, type ConnectionInfo } from './session.ts';

/** The origins a server accepts pages from: its own (and its loopback alias), the desktop studio's, and the configured ones. */
export function allowedOrigins(serverUrl: string, extra: readonly string[]): Set<string> {
  const own = new URL(serverUrl);
  const origins = new Set([own.origin, STUDIO_APP_ORIGIN, ...extra]);
  const alias = own.hostname === '127.0.0.1' ? 'localhost' : own.hostname === 'localhost' ? '127.0.0.1' : null;
  if (alias) origins.add(`${own.protocol}//${alias}${own.port ? `:${own.port}` : ''}`);
  return origins;
}

/** What every handler gets besides its session. */
export type HubContext = { registry: SpaceRegistry; accounts: AccountService; config: ServerConfig; logger: Logger; tickets?: TicketGate };

export class SessionHub {
  readonly limits: EdgeLimits;
  readonly #sessions = new Set<Session>();
  readonly #handlers: Handlers;
  readonly #context: HubContext;
  readonly #heartbeat: NodeJS.Timeout;
  #origins = new Set<string>();

  constructor(handlers: Handlers, context: HubContext) {
    this.#handlers = handlers;
    this.#context = context;
    this.limits = new EdgeLimits(context.config.limits);
    this.#heartbeat = setInterval(() => {
      for (const session of this.#sessions) session.heartbeat();
    }, context.config.heartbeatMs);
    this.#heartbeat.unref();
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** Set once the server knows its own URL (its port may be chosen at listen time). */
  setServerUrl(url: string): void {
    this.#origins = allowedOrigins(url, this.#context.config.allowedOrigins);
  }

  /** Checks an upgrade before it happens; throws a typed error to refuse it. */
  async admit(info: ConnectionInfo): Promise<void> {
    if (info.origin !== null && !this.#origins.has(info.origin)) {
      throw new PermissionError('Pages from this origin may not connect to this server.');
    }
    await this.limits.connection(info.ip);
  }

  accept(socket: WebSocket, info: ConnectionInfo): Session {
    const session = new Session(socket, this.#handlers, { ...this.#context, limits: this.limits }, info);
    this.#sessions.add(session);
    session.onClosed(() => this.#sessions.delete(session));
    return session;
  }

  close(): void {
    clearInterval(this.#heartbeat);
  }
}
