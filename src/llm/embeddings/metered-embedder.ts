import type { Metrics } from '../../metrics.js';
import { countTokens } from '../tokens.js';
import { EmbedderDecorator, type EmbedOptions, type Embedder, type EmbeddingResult } from './embedder.js';

/**
 * Counts every call of an embedder and the tokens it was sent: documents as `ingest`
 * (chunks and module summaries), questions as `query`. Placed under the query-vector
 * cache, so only real calls count.
 */
export class MeteredEmbedder extends EmbedderDecorator {
  constructor(
    inner: Embedder,
    private readonly metrics: Metrics,
  ) {
    super(inner);
  }

  override async embedDocuments(texts: string[], options?: EmbedOptions): Promise<EmbeddingResult> {
    const result = await this.inner.embedDocuments(texts, options);
    this.record('ingest', result.calls, result.tokens);
    return result;
  }

  override async embedQuery(text: string, options?: EmbedOptions): Promise<number[]> {
    const vector = await this.inner.embedQuery(text, options);
    // A query reports no usage; the API counts a lone input's tokens with this same encoding.
    this.record('query', 1, this.offline ? 0 : countTokens(text));
    return vector;
  }

  private record(purpose: 'ingest' | 'query', calls: number, tokens: number): void {
    const labels = { model: this.model, purpose };
    this.metrics.embeddingCalls.inc(labels, calls);
    this.metrics.embeddingTokens.inc(labels, tokens);
  }
}
