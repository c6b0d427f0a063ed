/**
 * The shapes of the API answers the console reads: aliases of the types generated from
 * the service's OpenAPI document (`npm run clients:types`), so a change to a route's
 * schema breaks the console's type check instead of its pages.
 */
import type { components } from '../../clients/typescript/src/schema.js';

type Schemas = components['schemas'];

export type Session = Schemas['ConsoleSession'];
export type IndexOverview = Schemas['IndexOverview'];
export type RecordsSyncCheck = Schemas['RecordsSyncCheck'];
export type IndexedDocument = Schemas['DocumentList']['documents'][number];
export type Chunk = Schemas['Chunk'];
export type SearchExplanation = Schemas['SearchExplanation'];
export type ExplainedHit = SearchExplanation['results'][number];
export type Citation = Schemas['Citation'];
/** The chat stream's last event: the answer's metadata, its text having come in tokens. */
export type ChatDone = Omit<Schemas['ConsoleChatResponse'], 'answer'>;
export type AuditEntry = Schemas['AuditList']['entries'][number];
export type MetricsSummary = Schemas['MetricsSummary'];

/**
 * A job's progress and summary are open objects in the API (a documentation ingest and a
 * records sync report different counts); these are the fields the console shows.
 */
export type Job = Omit<Schemas['Job'], 'progress' | 'summary'> & {
  progress: JobProgress;
  summary: JobSummary | null;
};

export type ChangeCounts = Schemas['ChangeCounts'];

export interface JobProgress {
  documentsProcessed?: number;
  documentsTotal?: number;
  chunksWritten?: number;
  documents?: ChangeCounts;
  skipped?: number;
}

export interface JobSummary {
  collection?: string;
  documents?: ChangeCounts;
  chunks?: ChangeCounts;
  skipped?: { path: string; reason: string; message: string }[];
  embeddingCalls?: number;
  ms?: number;
}
