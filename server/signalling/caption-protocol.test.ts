/** The captions' messages: what the host and co-hosts may send, bounded (text, words, hold-back), and what the studio and pages get. */
import { describe, expect, it } from 'vitest';
import { HOLD_BACK_MAX_MS, MAX_SEGMENT_CHARS } from '../domain/captions.ts';
import { MAX_MESSAGE_BYTES, notifications, requests } from './protocol.ts';

function issues(schema: { safeParse(value: unknown): { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; code: string }> } } }, value: unknown) {
  const result = schema.safeParse(value);
  return result.success ? [] : result.error!.issues.map((i) => ({ path: i.path.map(String).join('.'), code: i.code }));
}

describe('caption requests', () => {
  it('bound a correction: a positive segment id and at most the longest caption', () => {
    const edit = requests.editCaption.data;
    expect(issues(edit, { segmentId: 1, text: 'x'.repeat(MAX_SEGMENT_CHARS) })).toEqual([]);
    expect(issues(edit, { segmentId: 1, text: 'x'.repeat(MAX_SEGMENT_CHARS + 1) })).toEqual([{ path: 'text', code: 'too_big' }]);
    expect(issues(edit, { segmentId: 0, text: 'x' })).toEqual([{ path: 'segmentId', code: 'too_small' }]);
    expect(issues(edit, { segmentId: 1.5, text: 'x' })).toEqual([{ path: 'segmentId', code: 'invalid_type' }]);
    expect(issues(edit, { segmentId: 1, text: 'x', raw: 'y' })).toEqual([{ path: '', code: 'unrecognized_keys' }]);
  });

  it('bound vocabulary, rules and the hold-back', () => {
    expect(issues(requests.addCaptionWord.data, { word: 'x'.repeat(49) })).toEqual([{ path: 'word', code: 'too_big' }]);
    expect(issues(requests.addCaptionWord.data, { word: 'Zorblax', phones: 'x'.repeat(241) })).toEqual([{ path: 'phones', code: 'too_big' }]);
    expect(issues(requests.addCaptionReplacement.data, { heard: '  ', written: 'x' })).toEqual([{ path: 'heard', code: 'too_small' }]);
    expect(issues(requests.addCaptionReplacement.data, { heard: 'a', written: 'x'.repeat(201) })).toEqual([{ path: 'written', code: 'too_big' }]);
    expect(issues(requests.setCaptionHoldBack.data, { holdBackMs: HOLD_BACK_MAX_MS + 1 })).toEqual([{ path: 'holdBackMs', code: 'too_big' }]);
    expect(issues(requests.setCaptionHoldBack.data, { holdBackMs: -1 })).toEqual([{ path: 'holdBackMs', code: 'too_small' }]);
    expect(issues(requests.setCaptionsPaused.data, { paused: 'yes' })).toEqual([{ path: 'paused', code: 'invalid_type' }]);
  });

  it('fits the largest correction in one message', () => {
    const frame = JSON.stringify({ id: 1, method: 'editCaption', data: { segmentId: 1, text: '😀'.repeat(MAX_SEGMENT_CHARS / 2) } });
    expect(Buffer.byteLength(frame)).toBeLessThan(MAX_MESSAGE_BYTES);
  });
});

describe('caption notifications', () => {
  it('give listeners released text only: no raw text, no words', () => {
    const caption = { id: 1, speaker: 'Ada', text: 'Hello', startMs: 0, endMs: 500, revision: 0 };
    expect(issues(notifications.caption, { caption })).toEqual([]);
    expect(Object.keys(notifications.caption.shape.caption.shape).sort()).toEqual(['endMs', 'id', 'revision', 'speaker', 'startMs', 'text']);
  });

  it('give the studio the raw text, the correction and the time left', () => {
    const segment = { id: 1, speaker: { peerId: 'p', name: 'Ada' }, status: 'final', raw: 'hello', edited: 'Hello', words: [], revision: 0, startMs: 0, endMs: 500, releaseInMs: 1500, released: false };
    expect(issues(notifications.captionDraft, { segment })).toEqual([]);
    expect(issues(notifications.captionStatus, { available: true, pausedBy: 'premiere', holdBackMs: 2000, problem: null })).toEqual([]);
    expect(issues(notifications.captionStatus, { available: true, pausedBy: 'cat', holdBackMs: 2000, problem: null })).toEqual([{ path: 'pausedBy', code: 'invalid_value' }]);
  });
});
