/** What one embedding request cost; the ingest summary and metrics add these up. */
export interface EmbeddingResult {
  /**
   * Float32Array, as pgvector stores them: half the bytes of a number[], and outside the
   * V8 heap. An ingest batch holds a thousand or so of these until it is written; as
   * number[] they were promoted to the old generation and piled up there as garbage
   * between major collections.
   */
  vectors: Float32Array[];
  /** Requests made to the provider (0 for the offline embedder's in-process work is still 1 call per batch). */
  calls: number;
  tokens: number;
}

export interface EmbedOptions {
  signal?: AbortSignal;
}

/**
 * Turns text into unit vectors of `dimensions` numbers. `model` is recorded in the
 * database with the index so that vectors from two models are never mixed.
 */
export interface Embedder {
  readonly model: string;
  readonly dimensions: number;
  /** True when no external model is used (the answer says so). */
  readonly offline: boolean;
  embedDocuments(texts: string[], options?: EmbedOptions): Promise<EmbeddingResult>;
  embedQuery(text: string, options?: EmbedOptions): Promise<number[]>;
}

/**
 * An Embedder that wraps another (metering, caching): it is the same model, and passes
 * every call through unless a subclass overrides it.
 */
export abstract class EmbedderDecorator implements Embedder {
  readonly model: string;
  readonly dimensions: number;
  readonly offline: boolean;

  constructor(protected readonly inner: Embedder) {
    this.model = inner.model;
    this.dimensions = inner.dimensions;
    this.offline = inner.offline;
  }

  embedDocuments(texts: string[], options?: EmbedOptions): Promise<EmbeddingResult> {
    return this.inner.embedDocuments(texts, options);
  }

  embedQuery(text: string, options?: EmbedOptions): Promise<number[]> {
    return this.inner.embedQuery(text, options);
  }
}

/** The dimension of `llm_assistant.docs_chunks.embedding` (text-embedding-3-small). */
export const EMBEDDING_DIMENSIONS = 1536;
