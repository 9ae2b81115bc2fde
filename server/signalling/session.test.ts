import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { ServerConfig } from '../config.ts';
import type { AccountService } from '../accounts/account-service.ts';
import type { SpaceRegistry } from '../spaces/space-registry.ts';
import type { Handlers } from './handlers/handler.ts';
import { EdgeLimits } from './limits.ts';
import { encodeNotification } from './protocol.ts';
import { MAX_REQUESTS_IN_FLIGHT, MAX_SEND_BUFFER_BYTES, Session } from './session.ts';

class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  sent: string[] = [];
  pings = 0;
  terminated = false;
  send(text: string): void {
    this.sent.push(text);
  }
  ping(): void {
    this.pings++;
  }
  terminate(): void {
    this.terminated = true;
    this.readyState = 3;
    this.emit('close', 1006);
  }
}

function session(handlers: Partial<Handlers> = {}): { socket: FakeSocket; session: Session } {
  const socket = new FakeSocket();
  const context = {
    registry: {} as SpaceRegistry,
    accounts: {} as AccountService,
    limits: new EdgeLimits({ connectionsPerIpPerMinute: 100, joinsPerIpPerMinute: 100 }),
    config: {} as ServerConfig,
    logger: pino({ level: 'silent' }),
  };
  return { socket, session: new Session(socket as unknown as WebSocket, handlers as Handlers, context, { ip: '192.0.2.1', origin: null }) };
}

const state = encodeNotification('spaceState', { spaceId: 's', title: 't', status: 'live', listenerCount: 1, hostConnected: true, hostMuted: false, hostProducerId: null, stage: [] });

describe('Session', () => {
  it('drops a connection whose unsent data passes the bound instead of buffering without end', () => {
    const { socket, session: s } = session();
    s.send(state);
    expect(socket.terminated).toBe(false);
    socket.bufferedAmount = MAX_SEND_BUFFER_BYTES + 1;
    s.send(state);
    expect(socket.terminated).toBe(true);
    const sentBefore = socket.sent.length;
    s.send(state);
    expect(socket.sent).toHaveLength(sentBefore);
  });

  it(`answers requests past ${MAX_REQUESTS_IN_FLIGHT} in flight with RATE_LIMITED and their id, without queueing them`, async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    const { socket } = session({
      ping: async () => {
        started++;
        await held;
        return { now: 1 };
      },
    });
    for (let id = 1; id <= MAX_REQUESTS_IN_FLIGHT + 3; id++) socket.emit('message', Buffer.from(JSON.stringify({ id, method: 'ping', data: {} })), false);
    const refused = socket.sent.map((text) => JSON.parse(text) as { id: number; error?: { code: string } });
    expect(refused.map((r) => [r.id, r.error?.code])).toEqual([
      [MAX_REQUESTS_IN_FLIGHT + 1, 'RATE_LIMITED'],
      [MAX_REQUESTS_IN_FLIGHT + 2, 'RATE_LIMITED'],
      [MAX_REQUESTS_IN_FLIGHT + 3, 'RATE_LIMITED'],
    ]);
    release();
    await expect.poll(() => socket.sent.length).toBe(MAX_REQUESTS_IN_FLIGHT + 3);
    expect(started).toBe(MAX_REQUESTS_IN_FLIGHT);
  });

  it('pings, and drops a peer that missed the last pong', () => {
    const { socket, session: s } = session();
    s.heartbeat();
    expect(socket.pings).toBe(1);
    socket.emit('pong');
    s.heartbeat();
    expect(socket.terminated).toBe(false);
    s.heartbeat();
    expect(socket.terminated).toBe(true);
  });

  it('does not run requests that were waiting when the connection closed', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let runs = 0;
    const { socket } = session({
      ping: async () => {
        runs++;
        await held;
        return { now: 1 };
      },
    });
    for (let id = 1; id <= 3; id++) socket.emit('message', Buffer.from(JSON.stringify({ id, method: 'ping', data: {} })), false);
    await expect.poll(() => runs).toBe(1);
    socket.readyState = 3;
    socket.emit('close', 1000);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(runs).toBe(1);
  });
});
