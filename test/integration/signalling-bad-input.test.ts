/**
 * Bad input at the WebSocket and HTTP boundaries: each gets a typed error, and
 * the connection and the server keep working afterwards. Each test has its own
 * connection, so one failure does not cascade into the next.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/server.ts';
import { MAX_MESSAGE_BYTES } from '../../server/signalling/protocol.ts';
import { openRaw, type RawClient } from '../support/raw-client.ts';
import { startTestServer } from '../support/server-fixture.ts';

let server: RunningServer;
let client: RawClient;

function next(): Promise<Record<string, unknown>> {
  const seen = client.inbox.length;
  return new Promise((resolve) => {
    const poll = () => (client.inbox.length > seen ? resolve(client.inbox[seen]!) : setTimeout(poll, 5));
    poll();
  });
}

async function roundTrip(raw: string | Buffer, binary = false): Promise<Record<string, unknown>> {
  const reply = next();
  client.socket.send(raw, { binary });
  return reply;
}

async function stillWorks(): Promise<void> {
  expect(await client.request('ping')).toMatchObject({ ok: true });
  expect(await (await fetch(`${server.url}/health`)).json()).toMatchObject({ status: 'ok' });
}

beforeAll(async () => {
  server = await startTestServer();
});
beforeEach(async () => {
  client = await openRaw(server.url, { origin: server.url });
});
afterEach(() => client.socket.terminate());
afterAll(async () => {
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

  it('closes the connection (1009) on a frame over the protocol limit, before buffering it, and the server carries on', async () => {
    const big = JSON.stringify({ id: 9, method: 'joinSpace', data: { spaceId: 'x'.repeat(MAX_MESSAGE_BYTES) } });
    client.socket.send(big);
    expect(await client.closed).toBe(1009);
    client = await openRaw(server.url, { origin: server.url });
    await stillWorks();
  });

  it('answers a frame just under the limit with a typed error, not a close', async () => {
    const padding = 'x'.repeat(MAX_MESSAGE_BYTES - 200);
    expect(await roundTrip(JSON.stringify({ id: 4, method: 'joinSpace', data: { spaceId: padding } }))).toMatchObject({ id: 4, ok: false, error: { code: 'VALIDATION' } });
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

  it('refuses media requests before joining, and hosting without signing in', async () => {
    expect(await roundTrip(JSON.stringify({ id: 11, method: 'createTransport', data: { direction: 'recv' } }))).toMatchObject({ id: 11, ok: false, error: { code: 'INVALID_STATE' } });
    expect(await roundTrip(JSON.stringify({ id: 12, method: 'createSpace', data: { title: 'Hi' } }))).toMatchObject({ id: 12, ok: false, error: { code: 'PERMISSION_DENIED' } });
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
    expect(nowhere.status).toBe(404);
    expect(await nowhere.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('serves the listener page for a link with broken percent-encoding, so the page can say there is no such Space', async () => {
    const response = await fetch(`${server.url}/s/%E0%A4%A`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain('<div id="root">');
  });

  it('sends security headers with every answer', async () => {
    for (const path of ['/health', '/s/abc', '/api/spaces/abc']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(response.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
    }
  });
});
