/**
 * Captions in the database, on both backends: segments stored as they end and updated when they
 * are released and corrected (with every correction kept), per-host vocabulary and rules with their
 * bounds holding under concurrent adds, and everything of a Space gone with it.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKENDS, useTestDatabases, type TestBackend } from '../../test/support/test-databases.ts';
import { beginSegment, editSegment, MAX_VOCABULARY, releaseDue } from '../domain/captions.ts';
import { type SpacecraftError } from '../errors.ts';
import { KyselyCaptionRecords } from './caption-store.ts';
import { Database } from './database.ts';
import { KyselySpaceRecords } from './space-store.ts';

const logger = pino({ level: 'silent' });
const databases = useTestDatabases();
const open: Database[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((d) => d.close()));
});

async function setUp(backend: TestBackend) {
  const database = await Database.open(await databases.fresh(backend), logger);
  open.push(database);
  const [ada] = await database.db.insertInto('accounts').values([{ handle: 'ada', display_name: 'Ada', password_hash: 'x' }]).returning('id').execute();
  const space = await new KyselySpaceRecords(database.db).createLive({ hostAccountId: ada!.id, title: 'Captions' });
  return { database, ada: ada!.id, spaceId: space.id as string, captions: new KyselyCaptionRecords(database.db) };
}

const words = [{ word: 'hello', startMs: 1_000, endMs: 1_400, confidence: 0.9 }];

describe.each(BACKENDS)('caption records on %s', (backend) => {
  it('stores segments as they end, then released and corrected, and keeps every correction', async () => {
    const { captions, spaceId, ada } = await setUp(backend);
    expect(await captions.lastSegmentId(spaceId)).toBe(0);
    const speaker = { peerId: 'p', accountId: ada, name: 'Ada' };
    let segment = beginSegment({ id: 1, speaker, heard: { status: 'final', text: 'hello there', words, startMs: 1_000, endMs: 2_000 }, rules: [], holdBackMs: 2_000, now: 0 });
    await captions.saveSegment(spaceId, segment);
    segment = editSegment(segment, 'Hello there!');
    await captions.saveSegment(spaceId, segment);
    await captions.saveRevision(spaceId, { id: 1, revision: 0, text: 'Hello there!', editedBy: ada });
    segment = editSegment(releaseDue(segment, 5_000), 'Hello, there!');
    await captions.saveSegment(spaceId, segment);
    await captions.saveRevision(spaceId, { id: 1, revision: 1, text: 'Hello, there!', editedBy: ada });
    const other = beginSegment({ id: 2, speaker: { peerId: 'q', accountId: null, name: 'Guest' }, heard: { status: 'final', text: 'hi', words: [], startMs: 3_000, endMs: 3_500 }, rules: [], holdBackMs: 0, now: 0 });
    await captions.saveSegment(spaceId, other);

    const stored = await captions.segments(spaceId);
    expect(stored).toHaveLength(2);
    expect(stored[0]).toMatchObject({ id: 1, raw: 'hello there', edited: 'Hello, there!', revision: 1, released: true, startMs: 1_000, endMs: 2_000, words, speaker: { accountId: ada, name: 'Ada' } });
    expect(stored[1]).toMatchObject({ id: 2, raw: 'hi', released: false, speaker: { accountId: null, name: 'Guest' } });
    expect(await captions.lastSegmentId(spaceId)).toBe(2);
  });

  it('keeps a host’s vocabulary and rules, replaces a word or rule given again, and removes a rule', async () => {
    const { captions, ada } = await setUp(backend);
    await captions.addWord(ada, { word: 'Zorblax', phones: 'Z AO R B L AE K S' });
    await captions.addWord(ada, { word: 'Zorblax', phones: 'Z AO R B L AA K S' });
    expect(await captions.vocabulary(ada)).toEqual([{ word: 'Zorblax', phones: 'Z AO R B L AA K S' }]);
    await captions.addReplacement(ada, { heard: 'space craft', written: 'Spacecraft' });
    await captions.addReplacement(ada, { heard: 'the a', written: 'Theia' });
    await captions.addReplacement(ada, { heard: 'the a', written: 'THEIA' });
    expect(await captions.replacements(ada)).toEqual([
      { heard: 'space craft', written: 'Spacecraft' },
      { heard: 'the a', written: 'THEIA' },
    ]);
    await captions.removeReplacement(ada, 'space craft');
    expect(await captions.replacements(ada)).toEqual([{ heard: 'the a', written: 'THEIA' }]);
  });

  it('holds the vocabulary bound when many words are added at once', async () => {
    const { captions, ada, database } = await setUp(backend);
    await database.db
      .insertInto('caption_vocabulary')
      .values(Array.from({ length: MAX_VOCABULARY - 2 }, (_, i) => ({ host_account_id: ada, word: `w${i}`, phones: 'W' })))
      .execute();
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => captions.addWord(ada, { word: `new${i}`, phones: 'N UW' })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as SpacecraftError).code).toBe('LIMIT_EXCEEDED');
    expect(await captions.vocabulary(ada)).toHaveLength(MAX_VOCABULARY);
  });

  it('drops a Space’s captions with the Space', async () => {
    const { captions, spaceId, database } = await setUp(backend);
    await captions.saveSegment(spaceId, beginSegment({ id: 1, speaker: { peerId: 'p', accountId: null, name: 'A' }, heard: { status: 'final', text: 'x', words: [], startMs: 0, endMs: 1 }, rules: [], holdBackMs: 0, now: 0 }));
    await captions.saveRevision(spaceId, { id: 1, revision: 0, text: 'y', editedBy: null });
    await database.db.deleteFrom('spaces').where('id', '=', spaceId).execute();
    expect(await captions.segments(spaceId)).toEqual([]);
    expect(await database.db.selectFrom('caption_revisions').selectAll().execute()).toEqual([]);
  });
});
