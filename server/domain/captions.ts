/**
 * Live captions as the Space keeps them: segments (one per utterance of one speaker), the
 * hold-back that lets the host and co-hosts correct a segment before listeners see it, revisions
 * after that, replacement rules (heard → written) and the transcript (WebVTT, SRT). Pure rules:
 * no I/O, every time is given.
 *
 *   partial ──final──▶ held (hold-back running, editable: an edit replaces the raw text) ──▶ released
 *   released ──edit──▶ released, revision + 1 (listeners get the new text as a revision)
 *
 * Listeners only ever see released text: the raw text of a segment edited inside its hold-back
 * never leaves the server for them. Times of a segment are ms since the Space started.
 */
import { InvalidStateError, ValidationError } from '../errors.ts';

export const HOLD_BACK_MIN_MS = 0;
export const HOLD_BACK_MAX_MS = 10_000;
export const HOLD_BACK_DEFAULT_MS = 2_000;
/** The longest text of one segment (an edit, or what an engine says) in characters. */
export const MAX_SEGMENT_CHARS = 1_000;
/** Words one segment keeps (a longer utterance keeps its text, not every word's times). */
export const MAX_SEGMENT_WORDS = 200;
export const MAX_WORD_CHARS = 48;
export const MAX_PHONES_CHARS = 240;
/** Per host: how many vocabulary words and replacement rules they keep. */
export const MAX_VOCABULARY = 500;
export const MAX_REPLACEMENTS = 200;
export const MAX_SPEAKER_NAME = 200;

export type CaptionWord = { word: string; startMs: number; endMs: number; confidence: number };

export type CaptionSpeaker = { peerId: string; accountId: string | null; name: string };

export type CaptionSegment = {
  /** 1, 2, 3… per Space, in the order segments began. */
  readonly id: number;
  readonly speaker: CaptionSpeaker;
  readonly status: 'partial' | 'final';
  /** What the engine heard (after the replacement rules of the moment). */
  readonly raw: string;
  readonly words: readonly CaptionWord[];
  /** The host's or a co-host's correction; listeners get this instead of `raw` when set. */
  readonly edited: string | null;
  /** 0 as released; +1 for each correction after release. */
  readonly revision: number;
  readonly startMs: number;
  readonly endMs: number;
  /** Wall clock (ms) when listeners get it: the end of its hold-back; null while partial. */
  readonly releaseAt: number | null;
  readonly released: boolean;
};

export type ReplacementRule = { heard: string; written: string };

export type PausedBy = 'host' | 'premiere';

/** Whether captions run: the host's pause and a playing premiere each stop them. */
export type CaptionSwitch = { hostPaused: boolean; premierePlaying: boolean };

export function pausedBy(state: CaptionSwitch): PausedBy | null {
  if (state.hostPaused) return 'host';
  if (state.premierePlaying) return 'premiere';
  return null;
}

export function assertHoldBack(ms: number): number {
  if (!Number.isInteger(ms) || ms < HOLD_BACK_MIN_MS || ms > HOLD_BACK_MAX_MS) {
    throw new ValidationError(`The hold-back is whole milliseconds from ${HOLD_BACK_MIN_MS} to ${HOLD_BACK_MAX_MS}.`);
  }
  return ms;
}

/** Text as a segment keeps it: one line, single spaces, no control characters, bounded. */
export function cleanText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, MAX_SEGMENT_CHARS);
}

/** A vocabulary word: letters (any script), digits, apostrophes and hyphens; no spaces. */
export function assertVocabularyWord(word: string): string {
  const clean = word.trim();
  if (clean.length === 0 || clean.length > MAX_WORD_CHARS || !/^[\p{L}\p{N}][\p{L}\p{N}'’-]*$/u.test(clean)) {
    throw new ValidationError(`A vocabulary word is one word of letters or digits (up to ${MAX_WORD_CHARS} characters).`);
  }
  return clean;
}

/** Phones in the engine's set: upper-case ARPAbet-like symbols separated by spaces. */
export function assertPhones(phones: string): string {
  const clean = phones.trim().replace(/\s+/g, ' ');
  if (clean.length === 0 || clean.length > MAX_PHONES_CHARS || !/^[A-Z]{1,3}[0-2]?( [A-Z]{1,3}[0-2]?)*$/.test(clean)) {
    throw new ValidationError('A pronunciation is phone symbols separated by spaces, like "Z AO R B L AE K S".');
  }
  return clean;
}

export function assertReplacement(rule: ReplacementRule): ReplacementRule {
  const heard = cleanText(rule.heard).toLowerCase();
  const written = cleanText(rule.written);
  if (heard.length === 0 || heard.length > 200 || written.length === 0 || written.length > 200) {
    throw new ValidationError('A replacement rule has what is heard and what to write, each 1 to 200 characters.');
  }
  return { heard, written };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Applies the rules to new text: whole words or phrases, ignoring case, the longest heard phrase
 * first. Text already written is never rewritten by a rule added later (the caller applies rules
 * only to text as it arrives).
 */
export function applyReplacements(text: string, rules: readonly ReplacementRule[]): string {
  if (rules.length === 0 || text.length === 0) return text;
  const sorted = [...rules].sort((a, b) => b.heard.length - a.heard.length);
  const byHeard = new Map(sorted.map((rule) => [rule.heard, rule.written]));
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}'])(${sorted.map((rule) => escapeRegExp(rule.heard).replace(/ /g, '\\s+')).join('|')})(?![\\p{L}\\p{N}'])`, 'giu');
  return cleanText(text.replace(pattern, (match) => byHeard.get(match.toLowerCase().replace(/\s+/g, ' ')) ?? match));
}

/** A result of the engine, in Space time (ms since the Space started). */
export type HeardUtterance = { status: 'partial' | 'final'; text: string; words: readonly CaptionWord[]; startMs: number; endMs: number };

function heardFields(heard: HeardUtterance, rules: readonly ReplacementRule[]) {
  const startMs = Math.max(0, Math.round(heard.startMs));
  const endMs = Math.max(startMs, Math.round(heard.endMs));
  return {
    raw: applyReplacements(cleanText(heard.text), rules),
    words: heard.words.slice(0, MAX_SEGMENT_WORDS).map((w) => ({ ...w, word: cleanText(w.word).slice(0, MAX_WORD_CHARS) })),
    startMs,
    endMs,
  };
}

/** A new segment from the first result of an utterance. */
export function beginSegment(input: { id: number; speaker: CaptionSpeaker; heard: HeardUtterance; rules: readonly ReplacementRule[]; holdBackMs: number; now: number }): CaptionSegment {
  const segment: CaptionSegment = {
    id: input.id,
    speaker: { ...input.speaker, name: cleanText(input.speaker.name).slice(0, MAX_SPEAKER_NAME) || 'Speaker' },
    status: 'partial',
    edited: null,
    revision: 0,
    releaseAt: null,
    released: false,
    ...heardFields(input.heard, input.rules),
  };
  return input.heard.status === 'final' ? finalize(segment, input.holdBackMs, input.now) : segment;
}

/** A later result of the same utterance: the engine's text moves on while it is partial. */
export function updateSegment(segment: CaptionSegment, heard: HeardUtterance, rules: readonly ReplacementRule[], holdBackMs: number, now: number): CaptionSegment {
  if (segment.status === 'final') return segment;
  const next: CaptionSegment = { ...segment, ...heardFields(heard, rules) };
  return heard.status === 'final' ? finalize(next, holdBackMs, now) : next;
}

function finalize(segment: CaptionSegment, holdBackMs: number, now: number): CaptionSegment {
  return { ...segment, status: 'final', releaseAt: now + holdBackMs };
}

/** A segment whose hold-back is over is released (listeners get it); others are as they were. */
export function releaseDue(segment: CaptionSegment, now: number): CaptionSegment {
  if (segment.released || segment.releaseAt === null || segment.releaseAt > now) return segment;
  return { ...segment, released: true };
}

/** Released now whatever its hold-back (the Space ends, captions pause): a partial one becomes final. */
export function releaseNow(segment: CaptionSegment, now: number): CaptionSegment {
  if (segment.released) return segment;
  return { ...segment, status: 'final', releaseAt: Math.min(segment.releaseAt ?? now, now), released: true };
}

/**
 * A correction by the host or a co-host. Inside the hold-back it replaces the raw text entirely
 * (listeners never see the raw); after release it is a revision listeners get. A partial segment
 * cannot be edited yet (the engine is still writing it).
 */
export function editSegment(segment: CaptionSegment, text: string): CaptionSegment {
  if (segment.status === 'partial') throw new InvalidStateError('That caption is still forming; edit it once the sentence ends.');
  const clean = cleanText(text);
  if (clean.length === 0) throw new ValidationError('A corrected caption needs some text.');
  if (text.length > MAX_SEGMENT_CHARS) throw new ValidationError(`A caption holds at most ${MAX_SEGMENT_CHARS} characters.`);
  return { ...segment, edited: clean, revision: segment.released ? segment.revision + 1 : 0 };
}

/** The text listeners get (the correction when there is one). */
export function shownText(segment: CaptionSegment): string {
  return segment.edited ?? segment.raw;
}

/** What a listener may have of a segment: nothing before release, the shown text after. */
export function forListeners(segment: CaptionSegment): { id: number; speaker: string; text: string; startMs: number; endMs: number; revision: number } | null {
  if (!segment.released) return null;
  return { id: segment.id, speaker: segment.speaker.name, text: shownText(segment), startMs: segment.startMs, endMs: segment.endMs, revision: segment.revision };
}

// ---- Transcripts ---------------------------------------------------------------------------

/** The smallest length a cue gets (an engine may give an utterance no duration). */
const MIN_CUE_MS = 500;

export type TranscriptCue = { speaker: string; text: string; startMs: number; endMs: number };

/** The cues of a transcript: released segments with text, in time order, each at least MIN_CUE_MS long. */
export function transcriptCues(segments: readonly CaptionSegment[]): TranscriptCue[] {
  return segments
    .filter((s) => s.released && shownText(s).length > 0)
    .map((s) => ({ speaker: s.speaker.name, text: shownText(s), startMs: s.startMs, endMs: Math.max(s.endMs, s.startMs + MIN_CUE_MS) }))
    .sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
}

function clock(ms: number, separator: '.' | ','): string {
  const total = Math.max(0, Math.round(ms));
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const seconds = Math.floor((total % 60_000) / 1000);
  const millis = total % 1000;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(hours)}:${two(minutes)}:${two(seconds)}${separator}${String(millis).padStart(3, '0')}`;
}

/** WebVTT timestamp: hh:mm:ss.ttt (hours two digits or more). */
export const vttTime = (ms: number) => clock(ms, '.');
/** SRT timestamp: hh:mm:ss,ttt. */
export const srtTime = (ms: number) => clock(ms, ',');

/** Cue text for WebVTT: &, < and > escaped (so "-->" and tags cannot appear), one line. */
function vttEscape(text: string): string {
  return cleanText(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A voice tag's annotation: '&', '<' and '>' as character references (a bare '>' would end the tag), one line. */
function voiceName(name: string): string {
  return vttEscape(name) || 'Speaker';
}

/** A transcript as WebVTT, one cue per segment, the speaker as a voice tag (`<v Name>`). */
export function toWebVtt(cues: readonly TranscriptCue[], title?: string): string {
  const header = title ? `WEBVTT - ${cleanText(title).replace(/-->/g, '→')}` : 'WEBVTT';
  const body = cues.map((cue, i) => `${i + 1}\n${vttTime(cue.startMs)} --> ${vttTime(cue.endMs)}\n<v ${voiceName(cue.speaker)}>${vttEscape(cue.text)}`);
  return [header, ...body].join('\n\n') + '\n';
}

/** A transcript as SRT (numbered cues, hh:mm:ss,ttt), the speaker's name before the text. */
export function toSrt(cues: readonly TranscriptCue[]): string {
  // SRT has no voice tags: "Name: text" is its convention, and a blank line would end the cue.
  return cues.map((cue, i) => `${i + 1}\n${srtTime(cue.startMs)} --> ${srtTime(cue.endMs)}\n${cleanText(cue.speaker)}: ${cleanText(cue.text)}\n`).join('\n');
}
