/**
 * Fastify: health, the public Space API, the listener page and the signalling
 * WebSocket. Errors answer as `{ error: { code, message, details? } }` with
 * the status their code means; security headers on every answer.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyHelmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import { z } from 'zod';
import type { ServerConfig } from '../config.ts';
import { describeIssues, NotFoundError, SpacecraftError, toWireError, type ErrorCode } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { WorkerPool } from '../media/worker-pool.ts';
import { MAX_MESSAGE_BYTES, type SpaceInfo } from '../signalling/protocol.ts';
import type { SessionHub } from '../signalling/session-hub.ts';
import type { SpaceRegistry } from '../spaces/space-registry.ts';

export const STATUS: Record<ErrorCode, number> = {
  VALIDATION: 400,
  MALFORMED_MESSAGE: 400,
  UNKNOWN_METHOD: 400,
  NOT_FOUND: 404,
  PERMISSION_DENIED: 403,
  NOT_ELIGIBLE: 403,
  LIMIT_EXCEEDED: 429,
  RATE_LIMITED: 429,
  INVALID_STATE: 409,
  SPACE_ENDED: 410,
  UNAVAILABLE: 503,
  MESSAGE_TOO_LARGE: 413,
  INTERNAL: 500,
  SOLD_OUT: 409,
  SALES_CLOSED: 409,
  TICKET_REQUIRED: 402,
  PAYMENTS_UNAVAILABLE: 503,
  PAYMENT_FAILED: 502,
  CAPTIONS_UNAVAILABLE: 503,
};

/** The code of a refusal made by Fastify or a plugin (a status, no code): a path outside the static root is 403, a body too large 413. */
function codeOfStatus(status: number): ErrorCode {
  if (status === 403) return 'PERMISSION_DENIED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 413) return 'MESSAGE_TOO_LARGE';
  if (status === 429) return 'RATE_LIMITED';
  return 'VALIDATION';
}

const spaceParams = z.object({ spaceId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a Space id') });

/** The same policy as the pages' own meta CSP, plus what only a header can say (frame-ancestors). */
const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  connectSrc: ["'self'", 'ws:', 'wss:'],
  mediaSrc: ["'self'", 'blob:', 'mediastream:'],
  imgSrc: ["'self'", 'data:'],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  frameAncestors: ["'none'"],
  formAction: ["'self'"],
};

export async function createHttpApp(deps: {
  config: ServerConfig;
  logger: Logger;
  pool: WorkerPool;
  registry: SpaceRegistry;
  hub: SessionHub;
  listenerDir: string;
  /** A Space not on air (scheduled, cancelled, or ended before a restart), from the database. */
  storedSpaceInfo?: (id: string) => Promise<SpaceInfo | null>;
}): Promise<FastifyInstance> {
  const { pool, registry, hub, listenerDir } = deps;
  const log = deps.logger.child({ module: 'http' });
  const hasListenerPage = existsSync(join(listenerDir, 'index.html'));
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    // A listener link whose percent-encoding is broken still gets the page, which says there is no such Space.
    frameworkErrors: (error, request, rawReply) => {
      const reply = rawReply as unknown as FastifyReply;
      if (hasListenerPage && request.url.startsWith('/s/')) {
        return void readFile(join(listenerDir, 'index.html')).then((page) => reply.type('text/html').send(page), (readError: unknown) => reply.send(readError));
      }
      const status = (error as { statusCode?: number }).statusCode ?? 400;
      return void reply.status(status).send({ error: { code: status < 500 ? 'VALIDATION' : 'INTERNAL', message: status < 500 ? 'That address cannot be read.' : 'Something went wrong on the server.' } });
    },
  });

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    // The server may run on plain http on a LAN or loopback: no HSTS, no upgrade of requests.
    strictTransportSecurity: false,
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'no-referrer' },
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof SpacecraftError) {
      if (error.code === 'INTERNAL') request.log.error({ err: error }, 'request failed');
      return reply.status(STATUS[error.code]).send({ error: error.toWire() });
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status < 500) return reply.status(status).send({ error: { code: codeOfStatus(status), message: (error as Error).message } });
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send({ error: toWireError(error) });
  });
  app.setNotFoundHandler((_request, reply) => reply.status(404).send({ error: { code: 'NOT_FOUND', message: 'Nothing here.' } }));

  app.get('/health', async () => ({ status: 'ok', workers: pool.size, liveSpaces: registry.liveCount, connections: hub.size }));

  app.get('/api/spaces/:spaceId', async (request) => {
    const params = spaceParams.safeParse(request.params);
    if (!params.success) throw new SpacecraftError('VALIDATION', 'That is not a Space link.', describeIssues(params.error.issues));
    try {
      return registry.info(params.data.spaceId);
    } catch (error) {
      const stored = error instanceof NotFoundError ? await deps.storedSpaceInfo?.(params.data.spaceId) : null;
      if (stored) return stored;
      throw error;
    }
  });

  // maxPayload at the protocol's limit: a larger frame closes the socket (1009) before it is buffered.
  await app.register(fastifyWebsocket, { options: { maxPayload: MAX_MESSAGE_BYTES } });
  app.route({
    method: 'GET',
    url: '/ws',
    // An upgrade answer carries no page: no security headers to build per connection.
    helmet: false,
    // Before the upgrade: a refused page or a flooding address never gets a WebSocket.
    preValidation: async (request, reply) => {
      try {
        await hub.admit({ ip: request.ip, origin: request.headers.origin ?? null });
      } catch (error) {
        const wire = toWireError(error);
        request.log.info({ ip: request.ip, origin: request.headers.origin, code: wire.code }, 'signalling connection refused');
        return reply.status(STATUS[wire.code]).send({ error: wire });
      }
    },
    wsHandler: (socket, request) => {
      hub.accept(socket, { ip: request.ip, origin: request.headers.origin ?? null });
    },
    // A plain HTTP request (no upgrade) gets a typed answer, not an empty 404.
    handler: async () => {
      throw new NotFoundError('This address takes WebSocket connections only.');
    },
  });

  if (hasListenerPage) {
    await app.register(fastifyStatic, { root: listenerDir, prefix: '/listen/', index: false });
  } else {
    log.warn({ listenerDir }, 'listener page not built (run `npm run build`)');
  }
  // Any /s/… link gets the page, even one with a broken id: the page itself says there is no such Space.
  app.get('/s/*', async (_request, reply) => {
    if (!hasListenerPage) throw new SpacecraftError('UNAVAILABLE', 'The listener page has not been built on this server.');
    return reply.type('text/html').sendFile('index.html');
  });
  app.get('/', async () => {
    throw new NotFoundError('Open a Space link (/s/<id>) to listen.');
  });

  return app;
}
