/**
 * Fastify: health, the public Space API, the listener page and the signalling
 * WebSocket. Errors answer as `{ error: { code, message, details? } }`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerConfig } from '../config.ts';
import { describeIssues, NotFoundError, SpacecraftError, toWireError, type ErrorCode } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { WorkerPool } from '../media/worker-pool.ts';
import { handlers } from '../signalling/handlers/all-handlers.ts';
import { Session } from '../signalling/session.ts';
import type { SpaceRegistry } from '../spaces/space-registry.ts';

const STATUS: Partial<Record<ErrorCode, number>> = {
  VALIDATION: 400,
  MALFORMED_MESSAGE: 400,
  NOT_FOUND: 404,
  PERMISSION_DENIED: 403,
  INVALID_STATE: 409,
  SPACE_ENDED: 410,
  UNAVAILABLE: 503,
  MESSAGE_TOO_LARGE: 413,
};

const spaceParams = z.object({ spaceId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a Space id') });

/** Largest frame the socket accepts at all; anything between MAX_MESSAGE_BYTES and this gets a typed error. */
const MAX_FRAME_BYTES = 1024 * 1024;

export async function createHttpApp(deps: {
  config: ServerConfig;
  logger: Logger;
  pool: WorkerPool;
  registry: SpaceRegistry;
  listenerDir: string;
}): Promise<FastifyInstance> {
  const { config, pool, registry, listenerDir } = deps;
  const log = deps.logger.child({ module: 'http' });
  const app = Fastify({ loggerInstance: log as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }), bodyLimit: 64 * 1024 });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof SpacecraftError) return reply.status(STATUS[error.code] ?? 400).send({ error: error.toWire() });
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status < 500) return reply.status(status).send({ error: { code: 'VALIDATION', message: (error as Error).message } });
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send({ error: toWireError(error) });
  });
  app.setNotFoundHandler((_request, reply) => reply.status(404).send({ error: { code: 'NOT_FOUND', message: 'Nothing here.' } }));

  app.get('/health', async () => ({ status: 'ok', workers: pool.size, liveSpaces: registry.liveCount }));

  app.get('/api/spaces/:spaceId', async (request) => {
    const params = spaceParams.safeParse(request.params);
    if (!params.success) throw new SpacecraftError('VALIDATION', 'That is not a Space link.', describeIssues(params.error.issues));
    return registry.info(params.data.spaceId);
  });

  await app.register(fastifyWebsocket, { options: { maxPayload: MAX_FRAME_BYTES } });
  app.get('/ws', { websocket: true }, (socket) => {
    new Session(socket, handlers, { registry, config, logger: deps.logger });
  });

  const hasListenerPage = existsSync(join(listenerDir, 'index.html'));
  if (hasListenerPage) {
    await app.register(fastifyStatic, { root: listenerDir, prefix: '/listen/', index: false });
  } else {
    log.warn({ listenerDir }, 'listener page not built (run `npm run build`)');
  }
  app.get('/s/:spaceId', async (_request, reply) => {
    if (!hasListenerPage) throw new SpacecraftError('UNAVAILABLE', 'The listener page has not been built on this server.');
    return reply.type('text/html').sendFile('index.html');
  });
  app.get('/', async () => {
    throw new NotFoundError('Open a Space link (/s/<id>) to listen.');
  });

  return app;
}
