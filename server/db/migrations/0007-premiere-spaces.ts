/**
 * A scheduled Space can be a premiere (issue #8): its page says "Premiere starts in …". A flag on the
 * Space, false for every Space before it. SQL that PostgreSQL 15 accepts (PGlite is 18).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('spaces')
    .addColumn('premiere', 'boolean', (c) => c.notNull().defaultTo(sql`false`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('spaces').dropColumn('premiere').execute();
}
