/**
 * A TCP proxy on 127.0.0.1 in front of a server, standing for one client's
 * network: `down()` cuts every connection through it and refuses new ones (as
 * a dropped network does), `up()` lets them through again. The target port may
 * be set after the proxy listens (its origin must be known before the server
 * starts, to be allowed).
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export type CuttableProxy = {
  /** http://127.0.0.1:<proxy port> */
  origin: string;
  /** The server port connections go to. */
  target: number;
  down(): number;
  up(): void;
  close(): Promise<void>;
};

export async function cuttableProxy(target = 0): Promise<CuttableProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let isDown = false;
  const server: Server = createServer((client) => {
    if (isDown || !proxy.target) {
      client.destroy();
      return;
    }
    const upstream = connect(proxy.target, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy: CuttableProxy = {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    target,
    down: () => {
      isDown = true;
      const count = pairs.size;
      for (const [client, upstream] of [...pairs]) {
        client.destroy();
        upstream.destroy();
      }
      return count;
    },
    up: () => {
      isDown = false;
    },
    close: () => {
      proxy.down();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
