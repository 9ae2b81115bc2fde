import { describe, expect, it } from 'vitest';
import { isMethod, METHODS, requestEnvelopeSchema, requests, serverMessageSchema } from './protocol.ts';

describe('signalling protocol', () => {
  it('knows its methods and nothing inherited', () => {
    expect(METHODS).toContain('joinSpace');
    expect(isMethod('joinSpace')).toBe(true);
    expect(isMethod('toString')).toBe(false);
    expect(isMethod('__proto__')).toBe(false);
  });

  it('accepts a well-formed request and rejects extra or missing envelope fields', () => {
    expect(requestEnvelopeSchema.safeParse({ id: 1, method: 'ping', data: {} }).success).toBe(true);
    expect(requestEnvelopeSchema.safeParse({ id: -1, method: 'ping' }).success).toBe(false);
    expect(requestEnvelopeSchema.safeParse({ id: 1 }).success).toBe(false);
    expect(requestEnvelopeSchema.safeParse({ id: 1, method: 'ping', extra: 1 }).success).toBe(false);
  });

  it('checks request data strictly', () => {
    expect(requests.createSpace.data.safeParse({ title: '  ', studioToken: 't' }).success).toBe(false);
    expect(requests.createSpace.data.safeParse({ title: 'Hi', studioToken: 't', admin: true }).success).toBe(false);
    expect(requests.produce.data.safeParse({ transportId: 't', kind: 'video', rtpParameters: { codecs: [{}] } }).success).toBe(false);
    expect(requests.connectTransport.data.safeParse({ transportId: 't', dtlsParameters: { fingerprints: [] } }).success).toBe(false);
    expect(requests.joinSpace.data.safeParse({ spaceId: 'x'.repeat(65) }).success).toBe(false);
  });

  it('describes server messages: results, typed errors and notifications', () => {
    expect(serverMessageSchema.safeParse({ id: 3, ok: true, data: {} }).success).toBe(true);
    expect(serverMessageSchema.safeParse({ id: null, ok: false, error: { code: 'MALFORMED_MESSAGE', message: 'x' } }).success).toBe(true);
    expect(serverMessageSchema.safeParse({ id: 3, ok: false, error: { code: 'NOPE', message: 'x' } }).success).toBe(false);
    expect(serverMessageSchema.safeParse({ notification: 'spaceEnded', data: {} }).success).toBe(true);
    expect(serverMessageSchema.safeParse({ notification: 'hack', data: {} }).success).toBe(false);
  });
});
