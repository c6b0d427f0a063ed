import type { SearchHit } from './search.types.js';

/**
 * Whether the service refuses a question: its search returned nothing to answer from, so
 * the chat says it found nothing, with no citations and no model call. The search decides
 * what counts as evidence; this is the one reading of its verdict, so the evaluation
 * follows whatever the search decides.
 */
export function isRefused(hits: readonly SearchHit[]): boolean {
  return hits.length === 0;
}
