/**
 * The protocol's schemas, each checked both ways: a well-formed example parses (so a schema that
 * rejects everything fails here), and each invalid example differs from a well-formed one in one
 * field and is rejected for that field, with the issue zod reports (so a test cannot pass because
 * some other field happened to be wrong).
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ERROR_CODES } from '../errors.ts';
import { isMethod, METHODS, notifications, requestEnvelopeSchema, requests, serverMessageSchema } from './protocol.ts';

type Issue = { path: string; code: string };

/** What a schema rejects in `value`: each issue's dotted path ('' for the object itself) and code. */
function issues(schema: z.ZodType, value: unknown): Issue[] {
  const result = schema.safeParse(value);
  return result.success ? [] : result.error.issues.map((i) => ({ path: i.path.join('.'), code: i.code }));
}

const FINGERPRINT = { algorithm: 'sha-256', value: 'AB:CD:EF' };
const OPUS = { mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 };

/** A well-formed example of each request's data, as the studio and the listener page send it. */
const VALID = {
  ping: {},
  signIn: { sessionToken: 'token' },
  createSpace: { title: 'Morning show' },
  joinSpace: { spaceId: 'space-1' },
  createTransport: { direction: 'recv' },
  connectTransport: { transportId: 'transport-1', dtlsParameters: { role: 'client', fingerprints: [FINGERPRINT] } },
  produce: { transportId: 'transport-1', kind: 'audio', rtpParameters: { mid: '0', codecs: [OPUS], encodings: [{ ssrc: 1111 }] } },
  consume: { transportId: 'transport-1', producerId: 'producer-1', rtpCapabilities: { codecs: [{ kind: 'audio', ...OPUS }] } },
  resumeConsumer: { consumerId: 'consumer-1' },
  setMuted: { muted: true },
  endSpace: {},
} as const;
type ExampleMethod = keyof typeof VALID;

function dataIssues<M extends ExampleMethod>(method: M, change: Record<string, unknown>): Issue[] {
  return issues(requests[method].data, { ...VALID[method], ...change });
}

describe('signalling protocol', () => {
  it('knows its methods and nothing inherited', () => {
    expect(METHODS).toEqual(Object.keys(requests));
    for (const method of Object.keys(VALID)) expect(isMethod(method), method).toBe(true);
    for (const name of ['toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf', '']) expect(isMethod(name), name).toBe(false);
  });

  it('accepts a well-formed request envelope, with or without data', () => {
    expect(requestEnvelopeSchema.parse({ id: 1, method: 'ping', data: {} })).toEqual({ id: 1, method: 'ping', data: {} });
    expect(requestEnvelopeSchema.parse({ id: 0, method: 'ping' })).toEqual({ id: 0, method: 'ping' });
  });

  it('rejects an envelope for the one field that is wrong', () => {
    const base = { id: 1, method: 'ping', data: {} };
    expect(issues(requestEnvelopeSchema, { ...base, id: -1 })).toEqual([{ path: 'id', code: 'too_small' }]);
    expect(issues(requestEnvelopeSchema, { ...base, id: 1.5 })).toEqual([{ path: 'id', code: 'invalid_type' }]);
    expect(issues(requestEnvelopeSchema, { ...base, id: '1' })).toEqual([{ path: 'id', code: 'invalid_type' }]);
    expect(issues(requestEnvelopeSchema, { id: 1, data: {} })).toEqual([{ path: 'method', code: 'invalid_type' }]);
    expect(issues(requestEnvelopeSchema, { ...base, method: 'm'.repeat(65) })).toEqual([{ path: 'method', code: 'too_big' }]);
    expect(issues(requestEnvelopeSchema, { ...base, extra: 1 })).toEqual([{ path: '', code: 'unrecognized_keys' }]);
  });

  it.each(Object.keys(VALID) as ExampleMethod[])('accepts well-formed %s data', (method) => {
    expect(issues(requests[method].data, VALID[method])).toEqual([]);
  });

  it('trims a Space title and rejects one that is blank or too long', () => {
    expect(requests.createSpace.data.parse({ ...VALID.createSpace, title: '  Morning show  ' }).title).toBe('Morning show');
    expect(dataIssues('createSpace', { title: '   ' })).toEqual([{ path: 'title', code: 'too_small' }]);
    expect(dataIssues('createSpace', { title: 'x'.repeat(121) })).toEqual([{ path: 'title', code: 'too_big' }]);
    expect(dataIssues('createSpace', { title: 'x'.repeat(120) })).toEqual([]);
  });

  it('rejects request data for the one field that is wrong, extra fields included', () => {
    expect(dataIssues('signIn', { sessionToken: '' })).toEqual([{ path: 'sessionToken', code: 'too_small' }]);
    expect(dataIssues('createSpace', { scheduledSpaceId: '' })).toEqual([{ path: 'scheduledSpaceId', code: 'too_small' }]);
    expect(dataIssues('createSpace', { admin: true })).toEqual([{ path: '', code: 'unrecognized_keys' }]);
    expect(dataIssues('joinSpace', { spaceId: 'x'.repeat(65) })).toEqual([{ path: 'spaceId', code: 'too_big' }]);
    expect(dataIssues('joinSpace', { spaceId: '' })).toEqual([{ path: 'spaceId', code: 'too_small' }]);
    expect(dataIssues('createTransport', { direction: 'both' })).toEqual([{ path: 'direction', code: 'invalid_value' }]);
    expect(dataIssues('produce', { kind: 'video' })).toEqual([{ path: 'kind', code: 'invalid_value' }]);
    expect(dataIssues('produce', { rtpParameters: { ...VALID.produce.rtpParameters, codecs: [] } })).toEqual([{ path: 'rtpParameters.codecs', code: 'too_small' }]);
    expect(dataIssues('produce', { rtpParameters: undefined })).toEqual([{ path: 'rtpParameters', code: 'invalid_type' }]);
    expect(dataIssues('connectTransport', { dtlsParameters: { fingerprints: [] } })).toEqual([{ path: 'dtlsParameters.fingerprints', code: 'too_small' }]);
    expect(dataIssues('connectTransport', { dtlsParameters: { role: 'boss', fingerprints: [FINGERPRINT] } })).toEqual([{ path: 'dtlsParameters.role', code: 'invalid_value' }]);
    expect(dataIssues('setMuted', { muted: 'yes' })).toEqual([{ path: 'muted', code: 'invalid_type' }]);
    expect(dataIssues('endSpace', { spaceId: 'space-1' })).toEqual([{ path: '', code: 'unrecognized_keys' }]);
  });

  it('describes server messages: results, every typed error code and every notification', () => {
    expect(issues(serverMessageSchema, { id: 3, ok: true, data: {} })).toEqual([]);
    for (const code of ERROR_CODES) expect(issues(serverMessageSchema, { id: null, ok: false, error: { code, message: 'x' } }), code).toEqual([]);
    for (const notification of Object.keys(notifications)) expect(issues(serverMessageSchema, { notification, data: {} }), notification).toEqual([]);
  });

  it('rejects server messages with an unknown error code or notification', () => {
    expect(serverMessageSchema.safeParse({ id: 3, ok: false, error: { code: 'NOPE', message: 'x' } }).success).toBe(false);
    expect(serverMessageSchema.safeParse({ id: 3, ok: false, error: { code: ERROR_CODES[0], message: 'x' } }).success).toBe(true);
    expect(serverMessageSchema.safeParse({ notification: 'hack', data: {} }).success).toBe(false);
    expect(serverMessageSchema.safeParse({ id: 3, ok: 'yes', data: {} }).success).toBe(false);
  });
});
