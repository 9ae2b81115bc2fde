/**
 * The port through which live captions are stored: each Space's segments (and every correction as
 * a revision), each host's vocabulary and replacement rules. The database implements it
 * (server/db/caption-store.ts); `MemoryCaptionRecords` serves tests and a server without storage.
 */
import type { CaptionSegment, ReplacementRule } from '../domain/captions.ts';
import { MAX_REPLACEMENTS, MAX_VOCABULARY } from '../domain/captions.ts';
import { SpacecraftError } from '../errors.ts';

export type VocabularyWord = { word: string; phones: string };

export interface CaptionRecords {
  /** Stores a final segment, or its new state (released, corrected). */
  saveSegment(spaceId: string, segment: CaptionSegment): Promise<void>;
  /** Keeps one correction of a segment (the segment is stored first). */
  saveRevision(spaceId: string, input: { id: number; revision: number; text: string; editedBy: string | null }): Promise<void>;
  /** A Space's stored segments, in order. */
  segments(spaceId: string): Promise<CaptionSegment[]>;
  /** The highest segment id a Space has stored (0 when none): a restored Space goes on after it. */
  lastSegmentId(spaceId: string): Promise<number>;
  vocabulary(hostAccountId: string): Promise<VocabularyWord[]>;
  /** Adds or replaces a word; LIMIT_EXCEEDED past MAX_VOCABULARY. */
  addWord(hostAccountId: string, word: VocabularyWord): Promise<void>;
  replacements(hostAccountId: string): Promise<ReplacementRule[]>;
  /** Adds or replaces the rule for `heard`; LIMIT_EXCEEDED past MAX_REPLACEMENTS. */
  addReplacement(hostAccountId: string, rule: ReplacementRule): Promise<void>;
  removeReplacement(hostAccountId: string, heard: string): Promise<void>;
}

export const vocabularyFull = () => new SpacecraftError('LIMIT_EXCEEDED', `A host keeps at most ${MAX_VOCABULARY} vocabulary words.`, { limit: MAX_VOCABULARY });
export const replacementsFull = () => new SpacecraftError('LIMIT_EXCEEDED', `A host keeps at most ${MAX_REPLACEMENTS} replacement rules.`, { limit: MAX_REPLACEMENTS });

export class MemoryCaptionRecords implements CaptionRecords {
  readonly #segments = new Map<string, Map<number, CaptionSegment>>();
  readonly revisions: Array<{ spaceId: string; id: number; revision: number; text: string; editedBy: string | null }> = [];
  readonly #vocabulary = new Map<string, Map<string, VocabularyWord>>();
  readonly #replacements = new Map<string, Map<string, ReplacementRule>>();

  async saveSegment(spaceId: string, segment: CaptionSegment): Promise<void> {
    let space = this.#segments.get(spaceId);
    if (!space) this.#segments.set(spaceId, (space = new Map()));
    space.set(segment.id, segment);
  }

  async saveRevision(spaceId: string, input: { id: number; revision: number; text: string; editedBy: string | null }): Promise<void> {
    this.revisions.push({ spaceId, ...input });
  }

  async segments(spaceId: string): Promise<CaptionSegment[]> {
    return [...(this.#segments.get(spaceId)?.values() ?? [])].sort((a, b) => a.id - b.id);
  }

  async lastSegmentId(spaceId: string): Promise<number> {
    return Math.max(0, ...(this.#segments.get(spaceId)?.keys() ?? []));
  }

  async vocabulary(hostAccountId: string): Promise<VocabularyWord[]> {
    return [...(this.#vocabulary.get(hostAccountId)?.values() ?? [])];
  }

  async addWord(hostAccountId: string, word: VocabularyWord): Promise<void> {
    let words = this.#vocabulary.get(hostAccountId);
    if (!words) this.#vocabulary.set(hostAccountId, (words = new Map()));
    if (!words.has(word.word) && words.size >= MAX_VOCABULARY) throw vocabularyFull();
    words.set(word.word, word);
  }

  async replacements(hostAccountId: string): Promise<ReplacementRule[]> {
    return [...(this.#replacements.get(hostAccountId)?.values() ?? [])];
  }

  async addReplacement(hostAccountId: string, rule: ReplacementRule): Promise<void> {
    let rules = this.#replacements.get(hostAccountId);
    if (!rules) this.#replacements.set(hostAccountId, (rules = new Map()));
    if (!rules.has(rule.heard) && rules.size >= MAX_REPLACEMENTS) throw replacementsFull();
    rules.set(rule.heard, rule);
  }

  async removeReplacement(hostAccountId: string, heard: string): Promise<void> {
    this.#replacements.get(hostAccountId)?.delete(heard);
  }
}
