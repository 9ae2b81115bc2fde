import srtParser from 'srt-parser-2';
import { WebVTTParser } from 'webvtt-parser';
import entities from 'webvtt-parser/html-entities.json' with { type: 'json' };
import { describe, expect, it } from 'vitest';
import {
  applyReplacements,
  assertHoldBack,
  assertPhones,
  assertReplacement,
  assertVocabularyWord,
  beginSegment,
  editSegment,
  forListeners,
  HOLD_BACK_DEFAULT_MS,
  MAX_SEGMENT_CHARS,
  pausedBy,
  releaseDue,
  releaseNow,
  srtTime,
  toSrt,
  toWebVtt,
  transcriptCues,
  updateSegment,
  vttTime,
  type CaptionSegment,
  type HeardUtterance,
} from './captions.ts';

const SPEAKER = { peerId: 'p1', accountId: null, name: 'Ada Lovelace' };
const heard = (status: 'partial' | 'final', text: string, startMs = 1_000, endMs = 2_000): HeardUtterance => ({
  status,
  text,
  words: text.split(' ').map((word, i) => ({ word, startMs: startMs + i * 100, endMs: startMs + i * 100 + 90, confidence: 0.9 })),
  startMs,
  endMs,
});

function finalSegment(text = 'hello there', now = 10_000, holdBackMs = HOLD_BACK_DEFAULT_MS): CaptionSegment {
  return beginSegment({ id: 1, speaker: SPEAKER, heard: heard('final', text), rules: [], holdBackMs, now });
}

describe('caption segments and the hold-back', () => {
  it('forms a segment from partials to a final, and starts the hold-back when it is final', () => {
    let segment = beginSegment({ id: 7, speaker: SPEAKER, heard: heard('partial', 'hello'), rules: [], holdBackMs: 2_000, now: 100 });
    expect(segment).toMatchObject({ id: 7, status: 'partial', raw: 'hello', releaseAt: null, released: false });
    segment = updateSegment(segment, heard('partial', 'hello there'), [], 2_000, 200);
    expect(segment.raw).toBe('hello there');
    segment = updateSegment(segment, heard('final', 'hello there friend', 1_000, 2_500), [], 2_000, 300);
    expect(segment).toMatchObject({ status: 'final', raw: 'hello there friend', releaseAt: 2_300, endMs: 2_500 });
    // A late partial of an utterance that ended changes nothing.
    expect(updateSegment(segment, heard('partial', 'noise'), [], 2_000, 400)).toBe(segment);
  });

  it('keeps a segment from listeners until its hold-back is over, then releases it', () => {
    const segment = finalSegment('hello there', 10_000, 2_000);
    expect(forListeners(segment)).toBeNull();
    expect(releaseDue(segment, 11_999)).toBe(segment);
    const released = releaseDue(segment, 12_000);
    expect(forListeners(released)).toEqual({ id: 1, speaker: 'Ada Lovelace', text: 'hello there', startMs: 1_000, endMs: 2_000, revision: 0 });
  });

  it('a hold-back of 0 releases a final segment at once', () => {
    expect(releaseDue(finalSegment('hi', 5_000, 0), 5_000).released).toBe(true);
  });

  it('an edit inside the hold-back replaces the raw text entirely: listeners never get the raw', () => {
    const edited = editSegment(finalSegment('hello the a', 10_000), 'Hello, Theia!');
    expect(edited).toMatchObject({ raw: 'hello the a', edited: 'Hello, Theia!', revision: 0, released: false });
    const out = forListeners(releaseDue(edited, 20_000));
    expect(out).toMatchObject({ text: 'Hello, Theia!', revision: 0 });
    expect(JSON.stringify(out)).not.toContain('hello the a');
  });

  it('an edit after release is a revision listeners get', () => {
    const released = releaseDue(finalSegment('the price is ten', 0), 5_000);
    const once = editSegment(released, 'The price is $10.');
    const twice = editSegment(once, 'The price is $12.');
    expect(forListeners(once)).toMatchObject({ text: 'The price is $10.', revision: 1 });
    expect(forListeners(twice)).toMatchObject({ text: 'The price is $12.', revision: 2 });
  });

  it('refuses edits of a forming segment, empty edits and oversized edits', () => {
    const partial = beginSegment({ id: 1, speaker: SPEAKER, heard: heard('partial', 'hel'), rules: [], holdBackMs: 2_000, now: 0 });
    expect(() => editSegment(partial, 'Hello')).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    expect(() => editSegment(finalSegment(), '   \n ')).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    expect(() => editSegment(finalSegment(), 'x'.repeat(MAX_SEGMENT_CHARS + 1))).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    expect(editSegment(finalSegment(), 'two\nlines\u0000here').edited).toBe('two lines here');
  });

  it('releases everything at once when the Space ends (a forming segment becomes final)', () => {
    const partial = beginSegment({ id: 1, speaker: SPEAKER, heard: heard('partial', 'last words'), rules: [], holdBackMs: 2_000, now: 0 });
    expect(releaseNow(partial, 50)).toMatchObject({ status: 'final', released: true, releaseAt: 50 });
    expect(releaseNow(finalSegment('x', 0, 2_000), 10)).toMatchObject({ released: true, releaseAt: 10 });
  });

  it('bounds the hold-back to 0–10 s in whole ms', () => {
    expect(assertHoldBack(0)).toBe(0);
    expect(assertHoldBack(10_000)).toBe(10_000);
    for (const bad of [-1, 10_001, 1.5, Number.NaN]) expect(() => assertHoldBack(bad)).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
  });

  it('says why captions are paused: the host first, then a playing premiere', () => {
    expect(pausedBy({ hostPaused: false, premierePlaying: false })).toBeNull();
    expect(pausedBy({ hostPaused: false, premierePlaying: true })).toBe('premiere');
    expect(pausedBy({ hostPaused: true, premierePlaying: true })).toBe('host');
  });
});

describe('vocabulary and replacement rules', () => {
  it('applies rules to whole words and phrases, ignoring case, the longest first', () => {
    const rules = [assertReplacement({ heard: 'zor blacks', written: 'Zorblax' }), assertReplacement({ heard: 'zor', written: 'ZOR' }), assertReplacement({ heard: 'space craft', written: 'Spacecraft' })];
    expect(applyReplacements('welcome to Space  Craft with zor blacks and zor', rules)).toBe('welcome to Spacecraft with Zorblax and ZOR');
    // Not inside other words.
    expect(applyReplacements('zorro is here', rules)).toBe('zorro is here');
    // Rules with regex characters are taken literally.
    expect(applyReplacements('a c plus plus b', [assertReplacement({ heard: 'c plus plus', written: 'C++' })])).toBe('a C++ b');
    expect(applyReplacements('a.b', [assertReplacement({ heard: '.', written: 'dot' })])).toBe('a.b');
  });

  it('applies rules to new text as it is heard', () => {
    const rules = [assertReplacement({ heard: 'the a', written: 'Theia' })];
    const segment = beginSegment({ id: 1, speaker: SPEAKER, heard: heard('final', 'hello the a'), rules, holdBackMs: 0, now: 0 });
    expect(segment.raw).toBe('hello Theia');
  });

  it('checks words, pronunciations and rules', () => {
    expect(assertVocabularyWord(' Zorblax ')).toBe('Zorblax');
    expect(assertVocabularyWord("O'Neil")).toBe("O'Neil");
    for (const bad of ['', 'two words', 'x'.repeat(49), '<script>', '-dash']) expect(() => assertVocabularyWord(bad)).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    expect(assertPhones('Z AO1  R B L AE K S')).toBe('Z AO1 R B L AE K S');
    for (const bad of ['', 'z ao', 'Z; rm -rf', 'ZZZZ']) expect(() => assertPhones(bad)).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    expect(() => assertReplacement({ heard: '', written: 'x' })).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    expect(() => assertReplacement({ heard: 'x', written: 'y'.repeat(201) })).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
  });
});

describe('transcripts', () => {
  const released = (id: number, name: string, text: string, startMs: number, endMs: number) =>
    releaseDue(beginSegment({ id, speaker: { peerId: `p${id}`, accountId: null, name }, heard: heard('final', text, startMs, endMs), rules: [], holdBackMs: 0, now: 0 }), 0);
  const segments = [
    released(2, 'Grace <Hopper>', 'A & B --> C <b>bold</b>', 3_723_004, 3_725_500),
    released(1, 'Ada', 'hello there', 1_200, 2_400),
    released(3, 'Ada', 'no time at all', 5_000, 5_000),
    finalSegment('held back still', 0, 2_000),
  ];

  it('formats timestamps per each spec', () => {
    expect(vttTime(3_723_004)).toBe('01:02:03.004');
    expect(srtTime(3_723_004)).toBe('01:02:03,004');
    expect(vttTime(0)).toBe('00:00:00.000');
    expect(vttTime(100 * 3_600_000)).toBe('100:00:00.000');
  });

  it('keeps released segments in time order, each with some length, and leaves held ones out', () => {
    const cues = transcriptCues(segments);
    expect(cues.map((c) => c.text)).toEqual(['hello there', 'no time at all', 'A & B --> C <b>bold</b>']);
    expect(cues[1]).toMatchObject({ startMs: 5_000, endMs: 5_500 });
  });

  it('writes WebVTT that a WebVTT parser reads without errors, speakers as voice tags', () => {
    const vtt = toWebVtt(transcriptCues(segments), 'My --> Space');
    const tree = new WebVTTParser(entities).parse(vtt, 'metadata');
    expect(tree.errors).toEqual([]);
    expect(tree.cues).toHaveLength(3);
    expect(tree.cues.map((c) => [c.startTime, c.endTime])).toEqual([
      [1.2, 2.4],
      [5, 5.5],
      [3723.004, 3725.5],
    ]);
    const voices = tree.cues.map((c) => c.tree.children[0]!);
    expect(voices.map((v) => v.name)).toEqual(['v', 'v', 'v']);
    expect(voices[0]!.value).toBe('Ada');
    // The text comes back as written: the markup in it is text, not tags.
    expect(voices[2]!.children).toEqual([{ type: 'text', value: 'A & B --> C <b>bold</b>' }]);
    expect(voices[2]!.value).not.toContain('>');
  });

  it('writes SRT that an SRT parser reads back, the speaker before the text', () => {
    const srt = toSrt(transcriptCues(segments));
    const cues = new srtParser().fromSrt(srt);
    expect(cues.map((c) => [c.id, c.startSeconds, c.endSeconds, c.text])).toEqual([
      ['1', 1.2, 2.4, 'Ada: hello there'],
      ['2', 5, 5.5, 'Ada: no time at all'],
      ['3', 3723.004, 3725.5, 'Grace <Hopper>: A & B --> C <b>bold</b>'],
    ]);
  });

  it('writes an empty transcript as a valid header only', () => {
    expect(new WebVTTParser(entities).parse(toWebVtt([]), 'metadata').errors).toEqual([]);
    expect(toSrt([])).toBe('');
  });
});
