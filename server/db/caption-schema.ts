/** The caption tables (migration 0004-captions) as Kysely sees them; `Tables` in schema.ts lists them. */
import type { ColumnType, Generated } from 'kysely';

type CreatedAt = ColumnType<Date, never, never>;

/** One utterance of one speaker in a Space (`seq` 1, 2, 3… per Space). */
export interface CaptionSegmentsTable {
  space_id: string;
  seq: number;
  speaker_name: string;
  speaker_account_id: string | null;
  start_ms: number;
  end_ms: number;
  /** What the engine heard (after the replacement rules of the moment). */
  raw: string;
  /** The host's or a co-host's correction, shown instead of `raw`. */
  edited: string | null;
  revision: Generated<number>;
  /** `[{ word, startMs, endMs, confidence }]`. */
  words: ColumnType<unknown, string, string>;
  released: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, never, Date>;
}

export interface CaptionRevisionsTable {
  space_id: string;
  seq: number;
  revision: number;
  text: string;
  edited_by: string | null;
  created_at: CreatedAt;
}

export interface CaptionVocabularyTable {
  host_account_id: string;
  word: string;
  phones: string;
  created_at: CreatedAt;
}

export interface CaptionReplacementsTable {
  host_account_id: string;
  heard: string;
  written: string;
  created_at: CreatedAt;
}
