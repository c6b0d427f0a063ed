import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrate, readMigrationFiles } from '../../src/db/migrations.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, databaseBackends, type TestDatabase } from '../support/services.js';

// BM25 in SQL (sql/functions/lexical_candidates.sql) over the lexical index that the
// triggers of sql/functions/lexical_index.sql keep current.

const logger = createLogger('silent');
const DOCTOR = '00000000-0000-4000-8000-00000000000d';
const PATIENT = '00000000-0000-4000-8000-0000000000e1';

/** The index as the triggers keep it, and as it would be built from the chunks today. */
const STORED = `
  SELECT json_build_object(
    'postings', (SELECT coalesce(json_agg(p ORDER BY p.source_kind, p.term, p.chunk_key), '[]') FROM llm_assistant.lexical_postings p),
    'terms', (SELECT coalesce(json_agg(t ORDER BY t.source_kind, t.term), '[]') FROM llm_assistant.lexical_terms t),
    'corpus', (SELECT coalesce(json_agg(k ORDER BY k.source_kind), '[]') FROM llm_assistant.lexical_corpus k WHERE k.chunk_count > 0)
  ) AS index`;
const FROM_SCRATCH = `
  WITH postings AS (
    SELECT c.source_kind, p.term, c.chunk_key, p.title_count, p.heading_count, p.body_count,
           (sum(p.title_count + p.heading_count + p.body_count) OVER (PARTITION BY c.chunk_key))::integer AS chunk_length
    FROM llm_assistant.docs_chunks c, llm_assistant.chunk_postings(c.title, c.heading, c.content) p
  )
  SELECT json_build_object(
    'postings', (SELECT coalesce(json_agg(p ORDER BY p.source_kind, p.term, p.chunk_key), '[]') FROM postings p),
    'terms', (SELECT coalesce(json_agg(t ORDER BY t.source_kind, t.term), '[]') FROM (
      SELECT source_kind, term, count(*)::integer AS chunk_count FROM postings GROUP BY source_kind, term) t),
    'corpus', (SELECT coalesce(json_agg(k ORDER BY k.source_kind), '[]') FROM (
      SELECT c.source_kind, count(*)::bigint AS chunk_count, coalesce(sum(l.length), 0)::bigint AS total_length
      FROM llm_assistant.docs_chunks c
      LEFT JOIN (SELECT chunk_key, max(chunk_length) AS length FROM postings GROUP BY chunk_key) l ON l.chunk_key = c.chunk_key
      GROUP BY c.source_kind) k)
  ) AS index`;

describe.each(databaseBackends())('lexical index and BM25 on %s', (backend) => {
  let testDb: TestDatabase;
  let db: Database;

  const addSource = (sourceId: string, record = false) =>
    db.pool.query(
      `INSERT INTO llm_assistant.sources (source_kind, collection, source_id, uri, title, content_hash, patient_id, allowed_doctor_ids)
       VALUES ($1, 'c', $2, $2, 'T', 'h', $3, $4::uuid[])`,
      [record ? 'record' : 'doc', sourceId, record ? PATIENT : null, record ? [DOCTOR] : []],
    );
  const addChunk = (id: string, sourceId: string, title: string, content: string, heading = '', record = false) =>
    db.pool.query(
      `INSERT INTO llm_assistant.docs_chunks
         (id, source_kind, collection, source_id, source_uri, title, heading_path, heading, chunk_index, content, content_hash,
          token_count, embedding, patient_id, allowed_doctor_ids)
       VALUES ($1, $2, 'c', $3, $3, $4, ARRAY[$4, $5], $5, 0, $6, $1, 10, array_fill(0.1, ARRAY[1536])::vector, $7, $8::uuid[])`,
      [id, record ? 'record' : 'doc', sourceId, title, heading, content, record ? PATIENT : null, record ? [DOCTOR] : []],
    );
  const rank = async (question: string, doctor: string | null = null) =>
    (
      await db.pool.query<{ id: string; score: number; coverage: number }>(
        `SELECT id, score, coverage FROM llm_assistant.lexical_candidates($1, 10, $2::uuid, NULL, NULL, NULL)`,
        [question, doctor],
      )
    ).rows;
  const index = async (query: string) => (await db.pool.query<{ index: unknown }>(query)).rows[0]!.index;

  beforeAll(async () => {
    testDb = await createTestDatabase(backend);
    db = await openDatabase(loadConfig(testDb.env).database, logger);
    await migrate(db.pool, await readMigrationFiles());
    await addSource('pain');
    // Many chunks carry "pain" in their title; one says "shingles" in its body only.
    for (let i = 0; i < 8; i += 1) {
      await addChunk(`pain-${i}`, 'pain', `Chest Pain ${i}`, `General advice on discomfort and what to do next, part ${i}.`);
    }
    await addChunk('shingles', 'pain', 'Skin conditions', 'A painful blistering rash on one side of the body is often shingles.');
    await addChunk('long', 'pain', 'Skin conditions', `${'Unrelated filler sentence about skin care. '.repeat(40)} Shingles is mentioned once.`);
    await addChunk('eczema', 'pain', 'Skin conditions', 'Eczema makes the skin dry, itchy and red.');
    await addChunk('hemorrhoids', 'pain', 'Bowel conditions', 'Hemorrhoids are swollen veins in the lower rectum.');
    await addChunk('pancoast', 'pain', 'Lung cancer', 'A Pancoast tumour grows at the top of the lung.');
  });
  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });

  it('when a rare word is in a body and a common one in many titles, then the rare body word wins', async () => {
    const rows = await rank('pain with a blistering shingles rash');
    expect(rows[0]!.id).toBe('shingles');
    // Length normalisation: the same word once in a long chunk counts less than in a short one.
    const ids = rows.map((row) => row.id);
    expect(ids.indexOf('shingles')).toBeLessThan(ids.indexOf('long'));
    expect(rows[0]!.coverage).toBeGreaterThan(0.9);
  });

  it('when a long question word is misspelled by one letter, then it is read as the corpus word; a short unknown word is not', async () => {
    // "shingels" -> "shingel", one deletion from the corpus's "shingl" (shingles); "rasch" is too short to correct.
    expect((await rank('shingels'))[0]?.id).toBe('shingles');
    expect(await rank('qwertyuiop rasch')).toEqual([]);
  });

  it('when a long misspelled word is further off but sounds like a corpus word, then it is read as that word', async () => {
    // Soundex alike and at most three edits: "excema" -> "eczema", "hemroids" -> "hemorrhoids".
    expect((await rank('excema on the cheeks'))[0]?.id).toBe('eczema');
    expect((await rank('hemroids'))[0]?.id).toBe('hemorrhoids');
    // The word one edit away wins over one that only sounds alike.
    expect((await rank('shingelz'))[0]?.id).toBe('shingles');
    // Three edits are too many for a word of eight letters: "pancakes" is not "Pancoast".
    expect(await rank('buttermilk pancakes')).toEqual([]);
  });

  it('when the question names only words the corpus lacks, then nothing matches, and coverage tells a partial match', async () => {
    expect(await rank('lead singer of the band Queen')).toEqual([]);
    const partial = await rank('who sang about chest pain on stage');
    expect(partial.length).toBeGreaterThan(0);
    expect(Math.max(...partial.map((row) => row.coverage))).toBeLessThan(0.5);
  });

  it('when chunks are added, edited and deleted, then the index equals one built from scratch', async () => {
    await addSource('later');
    await addChunk('later-1', 'later', 'Knee replacement', 'Recovery after knee replacement takes weeks of exercise.', 'Recovery');
    await addChunk('later-2', 'later', 'Knee replacement', 'Physical therapy starts the day after surgery.', 'Therapy');
    expect(await index(STORED)).toEqual(await index(FROM_SCRATCH));

    await db.pool.query(`UPDATE llm_assistant.docs_chunks SET content = 'Swimming helps knees recover.' WHERE id = 'later-1'`);
    await db.pool.query(`UPDATE llm_assistant.docs_chunks SET chunk_index = 5 WHERE id = 'later-2'`);
    expect(await index(STORED)).toEqual(await index(FROM_SCRATCH));

    await db.pool.query(`DELETE FROM llm_assistant.docs_chunks WHERE id = 'pain-3'`);
    await db.pool.query(`DELETE FROM llm_assistant.sources WHERE source_id = 'later'`); // chunks go by cascade
    expect(await index(STORED)).toEqual(await index(FROM_SCRATCH));
    expect((await rank('knee replacement')).length).toBe(0);
  });

  it('when a write is rolled back, then the index is as it was', async () => {
    const before = await index(STORED);
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO llm_assistant.docs_chunks (id, source_kind, collection, source_id, source_uri, title, chunk_index, content, content_hash, token_count, embedding)
         VALUES ('gone', 'doc', 'c', 'pain', 'pain', 'Gout', 0, 'Gout flares in the big toe.', 'gone', 5, array_fill(0.1, ARRAY[1536])::vector)`,
      );
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect(await index(STORED)).toEqual(before);
  });

  it('when a record holds the words, then only a doctor on it finds it, and it leaves documentation statistics alone', async () => {
    const docTerms = await db.pool.query(`SELECT term, chunk_count FROM llm_assistant.lexical_terms WHERE source_kind = 'doc' ORDER BY term`);
    await addSource(`patient/${PATIENT}/allergies`, true);
    await addChunk('allergy', `patient/${PATIENT}/allergies`, 'Allergies', 'Penicillin: hives, severe.', 'Allergies', true);
    expect((await rank('penicillin allergy')).map((row) => row.id)).toEqual([]);
    expect((await rank('penicillin allergy', DOCTOR)).map((row) => row.id)).toEqual(['allergy']);
    expect((await db.pool.query(`SELECT term, chunk_count FROM llm_assistant.lexical_terms WHERE source_kind = 'doc' ORDER BY term`)).rows).toEqual(
      docTerms.rows,
    );
    expect(await index(STORED)).toEqual(await index(FROM_SCRATCH));
  });
});
