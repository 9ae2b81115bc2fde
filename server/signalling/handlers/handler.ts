import type { AccountService } from '../../accounts/account-service.ts';
import type { ServerConfig } from '../../config.ts';
import type { Logger } from '../../logger.ts';
import type { TicketGate } from '../../payments/ticket-access.ts';
import type { SpaceRegistry } from '../../spaces/space-registry.ts';
import type { EdgeLimits } from '../limits.ts';
import type { Method, RequestData, RequestResult } from '../protocol.ts';
import type { Session } from '../session.ts';

export type HandlerContext = {
  session: Session;
  registry: SpaceRegistry;
  accounts: AccountService;
  limits: EdgeLimits;
  config: ServerConfig;
  logger: Logger;
  /** Ticketed Spaces: who may listen (absent: every Space is free). */
  tickets?: TicketGate;
};

export type Handler<M extends Method> = (ctx: HandlerContext, data: RequestData<M>) => Promise<RequestResult<M>>;
export type Handlers = { [M in Method]: Handler<M> };
