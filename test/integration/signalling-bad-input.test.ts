/**
 * Bad input at the WebSocket and HTTP boundaries: each gets a typed error, and
 * the connection and the server keep working afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RunningServer } from '../../server/server.ts';
import { MAX_MESSAGE_BYTES } from '../../server/signalling/protocol.ts';
import { startTestServer, wsUrl } from '../support/server-fixture.ts';

let server: RunningServer;
let socket: WebSocket;
const inbox: unknown[] = [];

function next(): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const poll = () => (inbox.length ? resolve(inbox.shift() as Record<string, unknown>) : setTimeout(poll, 5));
    poll();
  });
}

async function roundTrip(raw: string | Buffer, binary = false): Promise<Record<string, unknown>> {
  socket.send(raw, { binary });
  return next();
}

async function stillWorks(): Promise<void> {
  expect(await roundTrip(JSON.stringify({ id: 999, method: 'ping', data: {} }))).toMatchObject({ id: 999, ok: true });
  expect(socket.readyState).toBe(WebSocket.OPEN);
  expect(await (await fetch(`${server.url}/health`)).json()).toMatchObject({ status: 'ok' });
}

beforeAll(async () => {
  server = await startTestServer();
  socket = new WebSocket(wsUrl(server.url));
  socket.on('message', (data) => inbox.push(JSON.parse(String(data))));
  await new Promise((resolve) => socket.once('open', resolve));
});

afterAll(async () => {
  socket?.close();
  await server?.close();
});

describe('WebSocket bad input', () => {
  it('answers malformed JSON with MALFORMED_MESSAGE', async () => {
    expect(await roundTrip('{"id": 1, "method": ')).toMatchObject({ id: null, ok: false, error: { code: 'MALFORMED_MESSAGE' } });
    await stillWorks();
  });

  it('answers a request without the envelope with MALFORMED_MESSAGE, keeping its id when it has one', async () => {
    expect(await roundTrip(JSON.stringify({ id: 5 }))).toMatchObject({ id: 5, ok: false, error: { code: 'MALFORMED_MESSAGE' } });
    expect(await roundTrip(JSON.stringify([1, 2, 3]))).toMatchObject({ id: null, ok: false, error: { code: 'MALFORMED_MESSAGE' } });
    expect(await roundTrip('null')).toMatchObject({ id: null, ok: false, error: { code: 'MALFORMED_MESSAGE' } });
    await stillWorks();
  });

  it('answers an unknown method with UNKNOWN_METHOD and its id', async () => {
    expect(await roundTrip(JSON.stringify({ id: 7, method: 'dropTables', data: {} }))).toMatchObject({ id: 7, ok: false, error: { code: 'UNKNOWN_METHOD' } });
    expect(await roundTrip(JSON.stringify({ id: 8, method: 'constructor', data: {} }))).toMatchObject({ id: 8, ok: false, error: { code: 'UNKNOWN_METHOD' } });
    await stillWorks();
  });

  it('answers an oversized message with MESSAGE_TOO_LARGE', async () => {
    const big = JSON.stringify({ id: 9, method: 'joinSpace', data: { spaceId: 'x'.repeat(MAX_MESSAGE_BYTES) } });
    expect(await roundTrip(big)).toMatchObject({ id: null, ok: false, error: { code: 'MESSAGE_TOO_LARGE' } });
    await stillWorks();
  });

  it('answers binary frames with MALFORMED_MESSAGE', async () => {
    expect(await roundTrip(Buffer.from([0, 1, 2, 3]), true)).toMatchObject({ ok: false, error: { code: 'MALFORMED_MESSAGE' } });
    await stillWorks();
  });

  it('answers invalid data with VALIDATION and the problems found', async () => {
    const reply = await roundTrip(JSON.stringify({ id: 10, method: 'createSpace', data: { title: 42 } }));
    expect(reply).toMatchObject({ id: 10, ok: false, error: { code: 'VALIDATION' } });
    expect(JSON.stringify((reply['error'] as { details: unknown }).details)).toContain('title');
    await stillWorks();
  });

  it('refuses media requests before joining, and a wrong studio token', async () => {
    expect(await roundTrip(JSON.stringify({ id: 11, method: 'createTransport', data: { direction: 'recv' } }))).toMatchObject({ id: 11, ok: false, error: { code: 'INVALID_STATE' } });
    expect(await roundTrip(JSON.stringify({ id: 12, method: 'createSpace', data: { title: 'Hi', studioToken: 'guess' } }))).toMatchObject({ id: 12, ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect(await roundTrip(JSON.stringify({ id: 13, method: 'joinSpace', data: { spaceId: 'nope' } }))).toMatchObject({ id: 13, ok: false, error: { code: 'NOT_FOUND' } });
    await stillWorks();
  });
});

describe('HTTP bad input', () => {
  it('answers a bad Space id with a typed 400 and an unknown one with a typed 404', async () => {
    const bad = await fetch(`${server.url}/api/spaces/${encodeURIComponent('../../etc')}`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'VALIDATION' } });
    const missing = await fetch(`${server.url}/api/spaces/abc`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const nowhere = await fetch(`${server.url}/no/such/route`);
    expect(await nowhere.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});
