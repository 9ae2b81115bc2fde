/**
 * Browser mode: serves the built studio renderer to a normal browser and gives
 * it the same `window.studio` over a WebSocket, backed by the same handlers as
 * Electron's IPC. Listens on loopback only.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { BRIDGE_PATH, bridgeRequestSchema, type BridgeMessage } from '../contract.ts';
import { createDispatcher } from '../ipc/dispatcher.ts';
import type { StudioServices } from '../studio-services.ts';

const MAX_BRIDGE_MESSAGE_BYTES = 64 * 1024;

export async function startBridge(options: {
  services: StudioServices;
  rendererDir: string;
  port: number;
  logger: Logger;
}): Promise<{ url: string; app: FastifyInstance; close(): Promise<void> }> {
  const { services, rendererDir, logger } = options;
  if (!existsSync(join(rendererDir, 'index.html'))) throw new Error(`The studio is not built (${rendererDir}); run \`npm run build\`.`);
  const dispatch = createDispatcher(services.handlers, logger);
  const app = Fastify({ loggerInstance: logger.child({ module: 'bridge' }) as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }) });
  await app.register(fastifyWebsocket, { options: { maxPayload: 1024 * 1024 } });
  await app.register(fastifyStatic, { root: rendererDir });

  app.get(BRIDGE_PATH, { websocket: true }, (socket) => {
    const send = (message: BridgeMessage) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    };
    const unsubscribe = services.subscribe((event, data) => send({ event, data }));
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
      void dispatch(request.channel, request.input).then((reply) => send({ id: request.id, reply }));
    });
  });

  await app.listen({ host: '127.0.0.1', port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { url: `http://127.0.0.1:${port}/`, app, close: () => app.close() };
}
