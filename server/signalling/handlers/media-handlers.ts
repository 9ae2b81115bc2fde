/** WebRTC transports, the host's producer and listeners' consumers; each runs through its Space's queue. */
import type { Handler } from './handler.ts';
import { currentSpace } from './space-handlers.ts';

export const createTransport: Handler<'createTransport'> = async (ctx, data) => currentSpace(ctx).createTransport(ctx.session.id, data.direction);

export const connectTransport: Handler<'connectTransport'> = async (ctx, data) => {
  await currentSpace(ctx).connectTransport(ctx.session.id, data.transportId, data.dtlsParameters);
  return {};
};

export const produce: Handler<'produce'> = async (ctx, data) => ({
  producerId: await currentSpace(ctx).produce(ctx.session.id, data.transportId, data.rtpParameters),
});

export const consume: Handler<'consume'> = async (ctx, data) =>
  currentSpace(ctx).consume(ctx.session.id, data.transportId, data.producerId, data.rtpCapabilities);

export const resumeConsumer: Handler<'resumeConsumer'> = async (ctx, data) => {
  await currentSpace(ctx).resumeConsumer(ctx.session.id, data.consumerId);
  return {};
};
