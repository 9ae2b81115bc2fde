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
  resumeSpace: { spaceId: 'space-1', hostKey: 'key' },
  joinSpace: { spaceId: 'space-1' },
  createTransport: { direction: 'recv' },
  connectTransport: { transportId: 'transport-1', dtlsParameters: { role: 'client', fingerprints: [FINGERPRINT] } },
  produce: { transportId: 'transport-1', kind: 'audio', rtpParameters: { mid: '0', codecs: [OPUS], encodings: [{ ssrc: 1111 }] } },
  consume: { transportId: 'transport-1', producerId: 'producer-1', rtpCapabilities: { codecs: [{ kind: 'audio', ...OPUS }] } },
  resumeConsumer: { consumerId: 'consumer-1' },
  startListening: {},
  setMuted: { muted: true },
  endSpace: {},
  requestToSpeak: {},
  cancelRequest: {},
  answerRequest: { peerId: 'peer-1', accept: true },
  muteSpeaker: { peerId: 'peer-1', muted: true },
  moveToListener: { peerId: 'peer-1' },
  leaveStage: {},
  removeFromSpace: { peerId: 'peer-1' },
  react: { emoji: '👏' },
  setNowPlaying: { track: null },
  editCaption: { segmentId: 1, text: 'Hello, Theia!' },
  addCaptionWord: { word: 'Zorblax' },
  addCaptionReplacement: { heard: 'the a', written: 'Theia' },
  removeCaptionReplacement: { heard: 'the a' },
  setCaptionsPaused: { paused: true },
  setCaptionHoldBack: { holdBackMs: 2000 },
  captionSettings: {},
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

  it('has a well-formed example for every request', () => {
    expect(Object.keys(VALID).sort()).toEqual([...METHODS].sort());
  });

  it('rejects stage requests for the one field that is wrong', () => {
    expect(dataIssues('react', { emoji: '💩' })).toEqual([{ path: 'emoji', code: 'invalid_value' }]);
    expect(dataIssues('react', { emoji: '👏'.repeat(2) })).toEqual([{ path: 'emoji', code: 'invalid_value' }]);
    expect(dataIssues('answerRequest', { accept: 'yes' })).toEqual([{ path: 'accept', code: 'invalid_type' }]);
    expect(dataIssues('answerRequest', { peerId: 'x'.repeat(65) })).toEqual([{ path: 'peerId', code: 'too_big' }]);
    expect(dataIssues('muteSpeaker', { peerId: '' })).toEqual([{ path: 'peerId', code: 'too_small' }]);
    expect(dataIssues('moveToListener', { peerId: 7 })).toEqual([{ path: 'peerId', code: 'invalid_type' }]);
    expect(dataIssues('removeFromSpace', { ban: false })).toEqual([{ path: '', code: 'unrecognized_keys' }]);
    expect(dataIssues('requestToSpeak', { note: 'please' })).toEqual([{ path: '', code: 'unrecognized_keys' }]);
  });

  it('bounds what the stage notifications may carry', () => {
    const member = { peerId: 'p', accountId: null, handle: null, displayName: 'Guest', role: 'speaker', producerId: null, muted: true, mutedByHost: false };
    expect(issues(notifications.yourRole, { peerId: 'p', role: 'cohost', requestPending: false })).toEqual([]);
    expect(issues(notifications.yourRole, { peerId: 'p', role: 'admin', requestPending: false })).toEqual([{ path: 'role', code: 'invalid_value' }]);
    expect(issues(notifications.spaceState.shape.stage, [member])).toEqual([]);
    expect(issues(notifications.spaceState.shape.stage, [{ ...member, role: 'listener' }])).toEqual([{ path: '0.role', code: 'invalid_value' }]);
    expect(issues(notifications.spaceState.shape.stage, Array.from({ length: 17 }, () => member))).toEqual([{ path: '', code: 'too_big' }]);
    expect(issues(notifications.speaking, { producerIds: Array.from({ length: 17 }, (_, i) => `p${i}`) })).toEqual([{ path: 'producerIds', code: 'too_big' }]);
    expect(issues(notifications.reactions, { counts: [{ emoji: '👏', count: 0 }] })).toEqual([{ path: 'counts.0.count', code: 'too_small' }]);
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
