/**
 * The messages of the pipe signalling between nodes (over ClusterBus), as zod schemas: a
 * downstream node opens one pipe per Space to its upstream (tuple + SRTP parameters both ways),
 * then asks for each producer it needs on that pipe.
 */
import type { types } from 'mediasoup';
import { z } from 'zod';

const id = z.string().min(1).max(64);
const mediasoupShape = <T>(outline: z.ZodType) => outline.transform((value) => value as T) as unknown as z.ZodType<T>;

export const srtpParametersSchema = mediasoupShape<types.SrtpParameters>(z.object({ cryptoSuite: z.string().max(40), keyBase64: z.string().max(200) }).strict());
const rtpParametersSchema = mediasoupShape<types.RtpParameters>(
  z.object({ codecs: z.array(z.record(z.string(), z.unknown())).min(1).max(16), encodings: z.array(z.record(z.string(), z.unknown())).max(8).optional() }).catchall(z.unknown()),
);

/** One end of a pipe: where it listens and its SRTP key. */
export const pipeEndSchema = z.object({ ip: z.string().min(1).max(100), port: z.number().int().min(1).max(65535), srtpParameters: srtpParametersSchema });
export type PipeEnd = z.infer<typeof pipeEndSchema>;

export const openPipeSchema = pipeEndSchema.extend({ spaceId: id });
export const pipeProducerSchema = z.object({ spaceId: id, producerId: id });
export const pipedProducerSchema = z.object({ kind: z.literal('audio'), rtpParameters: rtpParametersSchema, paused: z.boolean() });
export type PipedProducer = z.infer<typeof pipedProducerSchema>;
export const closePipeSchema = z.object({ spaceId: id });

/** A PipeTransport's own end, as the other node should reach it. */
export function endOf(transport: types.PipeTransport): PipeEnd {
  const { localAddress, localIp, localPort } = transport.tuple;
  return { ip: localAddress || localIp, port: localPort, srtpParameters: transport.srtpParameters! };
}

/** Pipe transports between nodes: SRTP (the pipe may cross networks) and RTX (a lost packet is sent again). */
export function pipeTransportOptions(listen: { ip: string; announcedAddress: string | undefined }): types.PipeTransportOptions {
  return {
    listenInfo: { protocol: 'udp', ip: listen.ip, ...(listen.announcedAddress ? { announcedAddress: listen.announcedAddress } : {}) },
    enableSrtp: true,
    enableRtx: true,
  };
}
