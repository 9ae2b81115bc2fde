/**
 * Live captions that last: each Space's caption segments (released text, the raw text the engine
 * heard, the host's correction and its revision number), every correction as a revision row, and
 * each host's custom vocabulary (words with pronunciations) and replacement rules (heard → written),
 * which apply to all of that host's Spaces. SQL that PostgreSQL 15 accepts (PGlite is 18).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('caption_segments')
    .addColumn('space_id', 'text', (c) => c.notNull().references('spaces.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull().check(sql`seq > 0`))
    .addColumn('speaker_name', 'text', (c) => c.notNull().check(sql`char_length(speaker_name) between 1 and 200`))
    .addColumn('speaker_account_id', 'uuid', (c) => c.references('accounts.id').onDelete('set null'))
    .addColumn('start_ms', 'bigint', (c) => c.notNull().check(sql`start_ms >= 0`))
    .addColumn('end_ms', 'bigint', (c) => c.notNull())
    .addColumn('raw', 'text', (c) => c.notNull().check(sql`char_length(raw) <= 1000`))
    .addColumn('edited', 'text', (c) => c.check(sql`char_length(edited) between 1 and 1000`))
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0).check(sql`revision >= 0`))
    .addColumn('words', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('released', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('caption_segments_end_after_start', sql`end_ms >= start_ms`)
    .addPrimaryKeyConstraint('caption_segments_pkey', ['space_id', 'seq'])
    .execute();

  await db.schema
    .createTable('caption_revisions')
    .addColumn('space_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull().check(sql`revision >= 0`))
    .addColumn('text', 'text', (c) => c.notNull().check(sql`char_length(text) between 1 and 1000`))
    .addColumn('edited_by', 'uuid', (c) => c.references('accounts.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint('caption_revisions_segment', ['space_id', 'seq'], 'caption_segments', ['space_id', 'seq'], (fk) => fk.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('caption_revisions_segment').on('caption_revisions').columns(['space_id', 'seq', 'created_at']).execute();

  await db.schema
    .createTable('caption_vocabulary')
    .addColumn('host_account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('word', 'text', (c) => c.notNull().check(sql`char_length(word) between 1 and 48`))
    .addColumn('phones', 'text', (c) => c.notNull().check(sql`char_length(phones) between 1 and 240`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('caption_vocabulary_pkey', ['host_account_id', 'word'])
    .execute();

  await db.schema
    .createTable('caption_replacements')
    .addColumn('host_account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('heard', 'text', (c) => c.notNull().check(sql`char_length(heard) between 1 and 200`))
    .addColumn('written', 'text', (c) => c.notNull().check(sql`char_length(written) between 1 and 200`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('caption_replacements_pkey', ['host_account_id', 'heard'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('caption_replacements').execute();
  await db.schema.dropTable('caption_vocabulary').execute();
  await db.schema.dropTable('caption_revisions').execute();
  await db.schema.dropTable('caption_segments').execute();
}
