/**
 * A UDP relay standing for the clients' network to a server's media port: the
 * server announces `frontAddress` (SPACECRAFT_RTC_ANNOUNCED_ADDRESS, e.g.
 * 127.0.0.2) on its RTC port, the relay listens there and forwards each client
 * flow to the server on 127.0.0.1 from a socket of its own (as a NAT does).
 * `block(keep)` drops every packet of the flows not in `keep` (new ones too),
 * both ways: one client's media path is cut while the others' go on.
 * `unblock()` lets everything through again. ICE over TCP has no relay, so a
 * client cannot get around a block.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

export type UdpRelay = {
  /** The flows seen so far (client address:port). */
  flows(): Set<string>;
  block(keep: ReadonlySet<string>): void;
  unblock(): void;
  /** Packets dropped while blocking. */
  dropped(): number;
  close(): Promise<void>;
};

export async function udpRelay(options: { frontAddress: string; port: number; targetAddress?: string }): Promise<UdpRelay> {
  const target = options.targetAddress ?? '127.0.0.1';
  const front = createSocket('udp4');
  const upstreams = new Map<string, Socket>();
  let keep: ReadonlySet<string> | null = null;
  let dropped = 0;
  const blocked = (key: string) => keep !== null && !keep.has(key);
  front.on('message', (message: Buffer, client: RemoteInfo) => {
    const key = `${client.address}:${client.port}`;
    let upstream = upstreams.get(key);
    if (!upstream) {
      const socket = createSocket('udp4');
      socket.on('message', (reply: Buffer) => {
        if (blocked(key)) dropped++;
        else front.send(reply, client.port, client.address);
      });
      socket.on('error', () => undefined);
      upstreams.set(key, socket);
      upstream = socket;
    }
    if (blocked(key)) dropped++;
    else upstream.send(message, options.port, target);
  });
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.bind(options.port, options.frontAddress, () => resolve());
  });
  return {
    flows: () => new Set(upstreams.keys()),
    block: (flows) => {
      keep = new Set(flows);
    },
    unblock: () => {
      keep = null;
    },
    dropped: () => dropped,
    close: async () => {
      for (const socket of upstreams.values()) socket.close();
      await new Promise<void>((resolve) => front.close(() => resolve()));
    },
  };
}
