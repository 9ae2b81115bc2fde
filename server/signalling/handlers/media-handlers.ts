/** WebRTC transports, the host's producer and listeners' consumers. */
import type { types } from 'mediasoup';
import type { Handler } from './handler.ts';
import { currentSpace } from './space-handlers.ts';

export const createTransport: Handler<'createTransport'> = async (ctx, data) => {
  const options = await currentSpace(ctx).media.createTransport(ctx.session.id, data.direction);
  return {
    id: options.id,
    iceParameters: options.iceParameters as unknown as Record<string, unknown>,
    iceCandidates: options.iceCandidates as unknown as Record<string, unknown>[],
    dtlsParameters: options.dtlsParameters as unknown as Record<string, unknown>,
  };
};

export const connectTransport: Handler<'connectTransport'> = async (ctx, data) => {
  await currentSpace(ctx).media.connectTransport(ctx.session.id, data.transportId, data.dtlsParameters as types.DtlsParameters);
  return {};
};

export const produce: Handler<'produce'> = async (ctx, data) => {
  const producerId = await currentSpace(ctx).produce(ctx.session.id, data.transportId, data.rtpParameters as unknown as types.RtpParameters);
  return { producerId };
};

export const consume: Handler<'consume'> = async (ctx, data) => {
  const consumer = await currentSpace(ctx).media.consume(
    ctx.session.id,
    data.transportId,
    data.producerId,
    data.rtpCapabilities as types.RtpCapabilities,
  );
  return {
    consumerId: consumer.id,
    producerId: consumer.producerId,
    kind: 'audio',
    rtpParameters: consumer.rtpParameters as unknown as Record<string, unknown>,
  };
};

export const resumeConsumer: Handler<'resumeConsumer'> = async (ctx, data) => {
  await currentSpace(ctx).media.resumeConsumer(ctx.session.id, data.consumerId);
  return {};
};
