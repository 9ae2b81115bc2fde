/**
 * Free UDP port pairs on loopback for the media child processes (the program mixer, the HLS
 * packager) that bind their own sockets: RTP on an even port, RTCP on the next. The ports are
 * released before returning, so hand them to the child at once.
 */
import { createSocket, type Socket } from 'node:dgram';
import { SpacecraftError } from '../errors.ts';

function bind(port: number, ip: string): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(undefined);
    });
    socket.bind(port, ip, () => resolve(socket));
  });
}

function close(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.close(() => resolve()));
}

/** A free pair (even, even + 1) of UDP ports on `ip`. */
export async function freeUdpPortPair(ip = '127.0.0.1', attempts = 64): Promise<number> {
  for (let i = 0; i < attempts; i++) {
    const first = await bind(0, ip);
    if (!first) continue;
    const port = first.address().port;
    if (port % 2 !== 0 || port >= 65535) {
      await close(first);
      continue;
    }
    const second = await bind(port + 1, ip);
    await close(first);
    if (second) {
      await close(second);
      return port;
    }
  }
  throw new SpacecraftError('UNAVAILABLE', 'No free UDP ports for the media mixer.');
}
