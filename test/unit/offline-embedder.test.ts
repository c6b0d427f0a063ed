import { describe, expect, it } from 'vitest';
import { EMBEDDING_DIMENSIONS } from '../../src/llm/embeddings/embedder.js';
import { OFFLINE_EMBEDDING_MODEL, OfflineEmbedder, stem } from '../../src/llm/embeddings/offline-embedder.js';

const embedder = new OfflineEmbedder();

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * (b[i] ?? 0);
  return sum;
}

function norm(vector: ArrayLike<number>): number {
  return Math.sqrt(cosine(vector, vector));
}

describe('OfflineEmbedder', () => {
  it('when asked about itself, then it is offline with a versioned model id and 1536 dims', () => {
    expect(embedder.offline).toBe(true);
    expect(embedder.model).toBe(OFFLINE_EMBEDDING_MODEL);
    expect(embedder.model).toMatch(/^offline-hashing-v\d+$/);
    expect(embedder.dimensions).toBe(EMBEDDING_DIMENSIONS);
  });

  it('when the same texts are embedded twice, then the vectors are identical', async () => {
    const texts = ['Asthma > Treatment\n\nInhaled corticosteroids reduce inflammation.', 'What causes gout?'];
    const first = await embedder.embedDocuments(texts);
    const second = await new OfflineEmbedder().embedDocuments(texts);
    expect(second.vectors).toEqual(first.vectors);
    expect(await embedder.embedQuery('What causes gout?')).toEqual(await embedder.embedQuery('What causes gout?'));
  });

  it('when texts are embedded, then every vector has 1536 finite numbers and unit norm', async () => {
    const { vectors, calls, tokens } = await embedder.embedDocuments(['Gout > Causes\n\nUric acid crystals.', '', 'the of and']);
    expect(calls).toBe(1);
    expect(tokens).toBe(0);
    for (const vector of vectors) {
      expect(vector).toHaveLength(EMBEDDING_DIMENSIONS);
      expect(vector.every(Number.isFinite)).toBe(true);
      expect(norm(vector)).toBeCloseTo(1, 6);
    }
    expect(norm(await embedder.embedQuery('what is it?'))).toBeCloseTo(1, 6);
  });

  it('when a question shares words with a topic and a section, then that section is closer than other sections and other topics', async () => {
    const { vectors } = await embedder.embedDocuments([
      'Gout > Treatment\n\nGout attacks are treated with anti-inflammatory drugs, colchicine and corticosteroids.',
      'Gout > Symptoms\n\nA sudden attack of pain, swelling and redness in a joint, often the big toe.',
      'Asthma > Treatment\n\nInhaled corticosteroids and bronchodilators control the airways.',
    ]);
    const [gTreat, gSymptoms, aTreat] = vectors as [Float32Array, Float32Array, Float32Array];
    const question = await embedder.embedQuery('How is gout treated?');
    expect(cosine(question, gTreat)).toBeGreaterThan(cosine(question, gSymptoms));
    expect(cosine(question, gTreat)).toBeGreaterThan(cosine(question, aTreat));
    const symptoms = await embedder.embedQuery('What are the symptoms of gout?');
    expect(cosine(symptoms, gSymptoms)).toBeGreaterThan(cosine(symptoms, gTreat));
  });

  it('when texts are related, then they are closer than unrelated ones', async () => {
    const [a, b, c] = (
      await embedder.embedDocuments([
        'High blood pressure damages the arteries and the heart.',
        'Hypertension: blood pressure that stays high harms the heart and arteries.',
        'Reschedule an appointment from the calendar by dragging it to a free slot.',
      ])
    ).vectors as [Float32Array, Float32Array, Float32Array];
    expect(cosine(a, b)).toBeGreaterThan(cosine(a, c) + 0.2);
  });

  it('when accents or case differ, then the words still meet', async () => {
    const [a, b] = (await embedder.embedDocuments(['Ménière disease', 'MENIERE DISEASE'])).vectors as [Float32Array, Float32Array];
    expect(cosine(a, b)).toBeCloseTo(1, 6);
  });

  it('when stemming, then inflections share a root', () => {
    expect(stem('treatments')).toBe(stem('treatment'));
    expect(stem('diagnosed')).toBe(stem('diagnose'));
    expect(stem('symptoms')).toBe('symptom');
    expect(stem('inherited')).toBe(stem('inheritance'));
  });

  it('when the signal is aborted, then it rejects', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(embedder.embedDocuments(['x'], { signal: controller.signal })).rejects.toThrow();
    await expect(embedder.embedQuery('x', { signal: controller.signal })).rejects.toThrow();
  });

  it('when embedding a thousand chunk-sized texts, then it finishes without a model (speed-insensitive bound)', async () => {
    const text = 'Asthma > Treatment\n\n' + 'Inhaled corticosteroids reduce airway inflammation in people with persistent asthma. '.repeat(20);
    const started = performance.now();
    const { vectors } = await embedder.embedDocuments(Array.from({ length: 1000 }, (_, i) => `${text} ${i}`));
    expect(vectors).toHaveLength(1000);
    // Generous: ~0.3 ms per chunk on a laptop; the bound only catches an accidental O(n^2).
    expect(performance.now() - started).toBeLessThan(20_000);
  });
});
