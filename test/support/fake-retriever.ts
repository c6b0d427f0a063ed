import { analyseWords, embedQueryText } from '../../src/llm/embeddings/offline-embedder.js';
import { countTokens } from '../../src/llm/tokens.js';
import type { DetectedModule, QuestionVector, Retriever, SearchHit, SearchRequest } from '../../src/retrieval/search.types.js';

/** A chunk of the fake index: a search hit plus who may see it (records only). */
export interface FakeChunk extends SearchHit {
  allowedDoctorIds: string[];
}

let counter = 0;

/** A documentation chunk unless `patientId`/`allowedDoctorIds` make it a record. */
export function buildChunk(overrides: Partial<FakeChunk> & Pick<FakeChunk, 'content'>): FakeChunk {
  counter += 1;
  const isRecord = overrides.patientId != null;
  return {
    tokenCount: countTokens(overrides.content),
    chunkId: `chunk-${counter}`,
    sourceKind: isRecord ? 'record' : 'doc',
    sourceId: isRecord ? `patient/${overrides.patientId}/notes` : `docs/source-${counter}`,
    collection: isRecord ? 'records' : 'example-docs',
    uri: `source-${counter}.md`,
    module: null,
    title: `Source ${counter}`,
    headingPath: [`Source ${counter}`],
    url: null,
    chunkIndex: 0,
    patientId: null,
    similarity: 0,
    vectorRank: null,
    lexicalRank: null,
    lexicalScore: null,
    lexicalCoverage: null,
    score: 0,
    matchReason: 'lexical',
    allowedDoctorIds: [],
    ...overrides,
  };
}

/**
 * An in-memory Retriever over fixture chunks: word overlap instead of vectors, with the
 * same access rules as the SQL (documentation for all, records for their doctors only).
 * Records every request so tests can check what was asked.
 */
export class FakeRetriever implements Retriever {
  readonly searches: SearchRequest[] = [];

  constructor(
    public chunks: FakeChunk[],
    private readonly modules: DetectedModule[] = [],
  ) {}

  /** The hashing embedder's vector: the answer cache compares questions by it. */
  embed(question: string): Promise<QuestionVector> {
    return Promise.resolve({ text: question, embedding: embedQueryText(question) });
  }

  search(request: SearchRequest): Promise<SearchHit[]> {
    this.searches.push(request);
    const wanted = new Set(analyseWords(request.question.text));
    const { filters } = request;
    const hits = this.chunks
      .filter((chunk) => chunk.sourceKind === 'doc' || (request.scope.doctorId !== null && chunk.allowedDoctorIds.includes(request.scope.doctorId)))
      .filter((chunk) => !filters?.patientId || chunk.sourceKind === 'doc' || chunk.patientId === filters.patientId)
      .filter((chunk) => !filters?.modules || (chunk.module !== null && filters.modules.includes(chunk.module)))
      .map((chunk) => {
        const words = new Set(analyseWords(`${chunk.title} ${chunk.content}`));
        const overlap = [...wanted].filter((word) => words.has(word)).length;
        return { chunk, similarity: wanted.size === 0 ? 0 : overlap / wanted.size };
      })
      // The real floor: a question sharing too little with a chunk retrieves nothing.
      .filter(({ similarity }) => similarity >= 0.34)
      .sort((a, b) => b.similarity - a.similarity)
      .slice(0, request.k)
      .map(({ chunk, similarity }) => {
        const { allowedDoctorIds: _allowed, ...hit } = chunk;
        return { ...hit, similarity, score: similarity };
      });
    return Promise.resolve(hits);
  }

  detectModules(question: QuestionVector): Promise<DetectedModule[]> {
    const words = new Set(analyseWords(question.text));
    return Promise.resolve(this.modules.filter((module) => analyseWords(module.name.replace(/_/g, ' ')).some((word) => words.has(word))));
  }
}
