/**
 * Browser mode: serves the built studio renderer to a normal browser and gives
 * it the same `window.studio` over a WebSocket, backed by the same handlers as
 * Electron's IPC. Listens on loopback only, and lets in only the page it served
 * opened with the printed URL (see bridge-access.ts): the bridge hands out the
 * studio's signed-in session (and signs in with a password), so any other page
 * must be refused.
 *
 * The bridge listens before the studio's services exist (the bundled server
 * must learn the bridge's origin first); until `serve()` every call answers
 * UNAVAILABLE "starting".
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import type { Logger } from 'pino';
import { BRIDGE_PATH, BRIDGE_PROTOCOL, bridgeRequestSchema, type BridgeMessage } from '../contract.ts';
import { createDispatcher, type Dispatch } from '../ipc/dispatcher.ts';
import type { StudioServices } from '../studio-services.ts';
import { bridgeUrlWithKey, newBridgeKey, refuseBridgeUpgrade } from './bridge-access.ts';

const MAX_BRIDGE_MESSAGE_BYTES = 64 * 1024;

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy': "frame-ancestors 'none'",
};

export type Bridge = {
  /** The URL to open: the bridge's origin with the per-run key in the fragment. */
  url: string;
  /** The bridge's own origin, e.g. `http://127.0.0.1:4401` (what the studio page sends as Origin). */
  origin: string;
  /** Starts answering calls with these services. */
  serve(services: StudioServices): void;
  close(): Promise<void>;
};

export async function startBridge(options: {
  rendererDir: string;
  port: number;
  logger: Logger;
  services?: StudioServices;
  /** The per-run key; a fresh random one by default. */
  key?: string;
}): Promise<Bridge> {
  const { rendererDir, logger } = options;
  if (!existsSync(join(rendererDir, 'index.html'))) throw new Error(`The studio is not built (${rendererDir}); run \`npm run build\`.`);
  const key = options.key ?? newBridgeKey();
  const log = logger.child({ module: 'bridge' });
  let services: { dispatch: Dispatch; subscribe: StudioServices['subscribe'] } | null = null;
  const serve = (s: StudioServices) => {
    services = { dispatch: createDispatcher(s.handlers, logger), subscribe: s.subscribe };
  };
  if (options.services) serve(options.services);

  const app = Fastify({ loggerInstance: log as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }) });
  await app.register(fastifyWebsocket, {
    options: {
      maxPayload: MAX_BRIDGE_MESSAGE_BYTES,
      // Select the bridge protocol, never echo the key.
      handleProtocols: (protocols: Set<string>) => (protocols.has(BRIDGE_PROTOCOL) ? BRIDGE_PROTOCOL : false),
    },
  });
  await app.register(fastifyStatic, { root: rendererDir, setHeaders: (response) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
  } });

  let origin = '';
  app.get(
    BRIDGE_PATH,
    {
      websocket: true,
      preValidation: async (request, reply) => {
        const refused = refuseBridgeUpgrade(request.headers, { origin, key });
        if (refused) {
          log.warn({ origin: request.headers.origin, host: request.headers.host, why: refused }, 'bridge connection refused');
          await reply.code(403).send({ code: 'PERMISSION_DENIED', message: 'Not the studio page.' });
        }
      },
    },
    (socket) => {
      const send = (message: BridgeMessage) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
      };
      const current = services;
      const unsubscribe = current ? current.subscribe((event, data) => send({ event, data })) : () => undefined;
      socket.on('close', unsubscribe);
      socket.on('message', (raw: Buffer, isBinary: boolean) => {
        if (isBinary || raw.length > MAX_BRIDGE_MESSAGE_BYTES) {
          send({ id: null, reply: { ok: false, error: { code: isBinary ? 'MALFORMED_MESSAGE' : 'MESSAGE_TOO_LARGE', message: 'That message cannot be read.' } } });
          return;
        }
        let request;
        try {
          request = bridgeRequestSchema.parse(JSON.parse(raw.toString('utf8')));
        } catch {
          send({ id: null, reply: { ok: false, error: { code: 'MALFORMED_MESSAGE', message: 'A bridge request is { id, channel, input }.' } } });
          return;
        }
        const now = services;
        if (!now) {
          send({ id: request.id, reply: { ok: false, error: { code: 'UNAVAILABLE', message: 'The studio is starting; reload in a moment.' } } });
          return;
        }
        void now.dispatch(request.channel, request.input).then((reply) => send({ id: request.id, reply }));
      });
    },
  );

  await app.listen({ host: '127.0.0.1', port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  origin = `http://127.0.0.1:${port}`;
  return { url: bridgeUrlWithKey(origin, key), origin, serve, close: () => app.close() };
}
