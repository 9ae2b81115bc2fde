/** UDP port helpers for tests that hand ports to external RTP peers (ffmpeg). 127.0.0.1 only. */
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';

function bind(port: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(undefined);
    });
    socket.bind(port, '127.0.0.1', () => resolve(socket));
  });
}

function close(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.close(() => resolve()));
}

/**
 * A free pair of consecutive UDP ports (even, even + 1) on 127.0.0.1, as an
 * RTP receiver needs (RTP on the even port, RTCP on the next). The ports are
 * released before returning, so take them just before starting the peer.
 */
export async function freeUdpPortPair(attempts = 50): Promise<number> {
  for (let i = 0; i < attempts; i++) {
    const first = await bind(0);
    if (!first) continue;
    const port = first.address().port;
    if (port % 2 !== 0 || port >= 65535) {
      await close(first);
      continue;
    }
    const second = await bind(port + 1);
    await close(first);
    if (second) {
      await close(second);
      return port;
    }
  }
  throw new Error(`no free UDP port pair on 127.0.0.1 after ${attempts} attempts`);
}

/** Local ports of all UDP sockets on this machine, from /proc/net/udp{,6}; undefined off Linux. */
function procUdpPorts(): Set<number> | undefined {
  const ports = new Set<number>();
  let read = false;
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    read = true;
    for (const line of text.split('\n').slice(1)) {
      const local = line.trim().split(/\s+/)[1]; // "0100007F:9C40"
      const hex = local?.split(':').at(-1);
      if (hex) ports.add(Number.parseInt(hex, 16));
    }
  }
  return read ? ports : undefined;
}

/**
 * Whether something already holds `port` on this machine. On Linux this reads
 * /proc/net/udp, so the probe never occupies the port itself; elsewhere it
 * tries to bind (and may, for an instant, hold the port a peer is about to take).
 */
export async function isUdpPortBound(port: number): Promise<boolean> {
  const known = procUdpPorts();
  if (known) return known.has(port);
  const socket = await bind(port);
  if (!socket) return true;
  await close(socket);
  return false;
}

/** Waits until all `ports` are held by another process (e.g. a receiver that started listening). */
export async function waitForUdpPortsBound(ports: number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const bound = await Promise.all(ports.map(isUdpPortBound));
    if (bound.every(Boolean)) return;
    if (Date.now() > deadline) throw new Error(`UDP ports ${ports.join(', ')} not bound after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
