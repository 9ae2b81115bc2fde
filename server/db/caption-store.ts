/**
 * Captions in the database (the CaptionRecords port): segments are upserted when they end and each
 * time they change after that (released, corrected); every correction is also kept as a revision.
 * The per-host bounds on vocabulary and rules are counted under a row lock on the host's account,
 * so two requests racing each other cannot both pass them. The same statements on PGlite and PostgreSQL.
 */
import type { Transaction } from 'kysely';
import type { CaptionRecords, VocabularyWord } from '../captions/caption-records.ts';
import { replacementsFull, vocabularyFull } from '../captions/caption-records.ts';
import { MAX_REPLACEMENTS, MAX_VOCABULARY, type CaptionSegment, type CaptionWord, type ReplacementRule } from '../domain/captions.ts';
import { NotFoundError } from '../errors.ts';
import type { Db } from './database.ts';
import type { Tables } from './schema.ts';

async function lockAccount(trx: Transaction<Tables>, accountId: string): Promise<void> {
  const row = await trx.selectFrom('accounts').select('id').where('id', '=', accountId).forUpdate().executeTakeFirst();
  if (!row) throw new NotFoundError('This account no longer exists.');
}

function wordsOf(value: unknown): CaptionWord[] {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  return Array.isArray(parsed) ? (parsed as CaptionWord[]) : [];
}

export class KyselyCaptionRecords implements CaptionRecords {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async saveSegment(spaceId: string, segment: CaptionSegment): Promise<void> {
    const values = {
      speaker_name: segment.speaker.name,
      start_ms: segment.startMs,
      end_ms: segment.endMs,
      raw: segment.raw,
      edited: segment.edited,
      revision: segment.revision,
      words: JSON.stringify(segment.words),
      released: segment.released,
    };
    await this.#db
      .insertInto('caption_segments')
      .values({ space_id: spaceId, seq: segment.id, speaker_account_id: segment.speaker.accountId, ...values })
      .onConflict((oc) => oc.columns(['space_id', 'seq']).doUpdateSet({ ...values, updated_at: new Date() }))
      .execute();
  }

  async saveRevision(spaceId: string, input: { id: number; revision: number; text: string; editedBy: string | null }): Promise<void> {
    await this.#db
      .insertInto('caption_revisions')
      .values({ space_id: spaceId, seq: input.id, revision: input.revision, text: input.text, edited_by: input.editedBy })
      .execute();
  }

  async segments(spaceId: string): Promise<CaptionSegment[]> {
    const rows = await this.#db
      .selectFrom('caption_segments')
      .select(['seq', 'speaker_name', 'speaker_account_id', 'start_ms', 'end_ms', 'raw', 'edited', 'revision', 'words', 'released'])
      .where('space_id', '=', spaceId)
      .orderBy('seq')
      .execute();
    return rows.map((row) => ({
      id: row.seq,
      speaker: { peerId: '', accountId: row.speaker_account_id, name: row.speaker_name },
      status: 'final',
      raw: row.raw,
      words: wordsOf(row.words),
      edited: row.edited,
      revision: row.revision,
      startMs: row.start_ms,
      endMs: row.end_ms,
      releaseAt: null,
      released: row.released,
    }));
  }

  async lastSegmentId(spaceId: string): Promise<number> {
    const row = await this.#db
      .selectFrom('caption_segments')
      .select((eb) => eb.fn.max<number | null>('seq').as('last'))
      .where('space_id', '=', spaceId)
      .executeTakeFirst();
    return Number(row?.last ?? 0);
  }

  async vocabulary(hostAccountId: string): Promise<VocabularyWord[]> {
    return this.#db.selectFrom('caption_vocabulary').select(['word', 'phones']).where('host_account_id', '=', hostAccountId).orderBy('created_at').execute();
  }

  async addWord(hostAccountId: string, word: VocabularyWord): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await lockAccount(trx, hostAccountId);
      const exists = await trx.selectFrom('caption_vocabulary').select('word').where('host_account_id', '=', hostAccountId).where('word', '=', word.word).executeTakeFirst();
      if (!exists) {
        const { count } = await trx
          .selectFrom('caption_vocabulary')
          .select((eb) => eb.fn.countAll<number>().as('count'))
          .where('host_account_id', '=', hostAccountId)
          .executeTakeFirstOrThrow();
        if (Number(count) >= MAX_VOCABULARY) throw vocabularyFull();
      }
      await trx
        .insertInto('caption_vocabulary')
        .values({ host_account_id: hostAccountId, word: word.word, phones: word.phones })
        .onConflict((oc) => oc.columns(['host_account_id', 'word']).doUpdateSet({ phones: word.phones }))
        .execute();
    });
  }

  async replacements(hostAccountId: string): Promise<ReplacementRule[]> {
    return this.#db.selectFrom('caption_replacements').select(['heard', 'written']).where('host_account_id', '=', hostAccountId).orderBy('created_at').execute();
  }

  async addReplacement(hostAccountId: string, rule: ReplacementRule): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await lockAccount(trx, hostAccountId);
      const exists = await trx.selectFrom('caption_replacements').select('heard').where('host_account_id', '=', hostAccountId).where('heard', '=', rule.heard).executeTakeFirst();
      if (!exists) {
        const { count } = await trx
          .selectFrom('caption_replacements')
          .select((eb) => eb.fn.countAll<number>().as('count'))
          .where('host_account_id', '=', hostAccountId)
          .executeTakeFirstOrThrow();
        if (Number(count) >= MAX_REPLACEMENTS) throw replacementsFull();
      }
      await trx
        .insertInto('caption_replacements')
        .values({ host_account_id: hostAccountId, heard: rule.heard, written: rule.written })
        .onConflict((oc) => oc.columns(['host_account_id', 'heard']).doUpdateSet({ written: rule.written }))
        .execute();
    });
  }

  async removeReplacement(hostAccountId: string, heard: string): Promise<void> {
    await this.#db.deleteFrom('caption_replacements').where('host_account_id', '=', hostAccountId).where('heard', '=', heard).execute();
  }
}
