import type { Queryable } from '../db/database.js';
import type { DetectedModule, QuestionVector, Retriever, SearchHit, SearchRequest } from '../retrieval/search.types.js';
import { auditRecordAccess } from './audit.js';

/**
 * Where "audit before disclosure" holds for the index: every search, for chat or for the
 * search API, goes through here, and record chunks come back only after their audit
 * entry is written (an answer from the answer cache is audited the same way, with the
 * record chunks its search returned: src/chat/chat.use-case.ts). A search that returns
 * record chunks without a reader is a bug, and fails rather than disclose them untraced.
 */
export class AuditedRetriever implements Retriever {
  constructor(
    private readonly inner: Retriever,
    private readonly db: Queryable,
  ) {}

  embed(question: string, signal?: AbortSignal): Promise<QuestionVector> {
    return this.inner.embed(question, signal);
  }

  async search(request: SearchRequest): Promise<SearchHit[]> {
    const hits = await this.inner.search(request);
    if (hits.some((hit) => hit.sourceKind === 'record')) {
      if (!request.readBy) throw new Error('record chunks were searched without a reader to audit');
      await auditRecordAccess(this.db, request.readBy, hits);
    }
    return hits;
  }

  detectModules(question: QuestionVector, options?: { limit?: number }): Promise<DetectedModule[]> {
    return this.inner.detectModules(question, options);
  }
}
