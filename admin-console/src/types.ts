/** The shapes of the API answers the console reads (see GET /openapi.json). */

export interface Session {
  client: { name: string; scopes: string[] };
  expiresAt: string;
  csrfToken: string;
}

export interface ChangeCounts {
  added: number;
  updated: number;
  unchanged: number;
  deleted: number;
}

export interface Job {
  id: string;
  kind: 'docs' | 'records';
  sourceKey: string;
  state: 'running' | 'succeeded' | 'failed';
  progress: JobProgress;
  summary: JobSummary | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

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

export interface Check {
  status: 'up' | 'down' | 'disabled';
  latencyMs?: number;
  detail?: string;
}

export interface IndexOverview {
  embedding: { model: string; dimensions: number; generation: number };
  documentation: { collection: string; module: string | null; documents: number; chunks: number; tokens: number; lastIndexedAt: string | null }[];
  modules: { name: string; title: string; documentCount: number }[];
  records: { patients: number; sources: number; chunks: number };
  lastIngest: Job | null;
  allowedRoots: string[];
  readiness: {
    status: 'ready' | 'degraded' | 'not_ready';
    checks: {
      database: Check & { kind: string };
      schema: { status: string; pending: string[]; applied: number };
      redis: Check & { kind: string };
      recordsSync: RecordsSyncCheck;
    };
  };
}

/** The records sync as /readyz reports it: counts, times, and skipped rows by table and id only. */
export interface RecordsSyncCheck {
  status: 'up' | 'down' | 'disabled';
  lagSeconds: number | null;
  watermark: string | null;
  intervalSeconds?: number;
  lastRun?: {
    outcome: 'succeeded' | 'failed' | 'locked';
    finishedAt: string;
    ms: number;
    patientsChanged: number;
    patientsIndexed: number;
    patientsRemoved: number;
    rowsRead: number;
    embeddingCalls: number;
    problemCount: number;
    problems: { table: string; id: string; message: string }[];
    error?: string;
  } | null;
  detail?: string;
}

export interface IndexedDocument {
  collection: string;
  sourceId: string;
  uri: string;
  module: string | null;
  title: string;
  url: string | null;
  chunkCount: number;
  indexedAt: string;
}

export interface Chunk {
  id: string;
  collection: string;
  sourceId: string;
  module: string | null;
  title: string;
  headingPath: string[];
  url: string | null;
  chunkIndex: number;
  tokenCount: number;
  content: string;
}

export interface ExplainedHit {
  chunkId: string;
  doc: string;
  collection: string;
  module: string | null;
  title: string;
  headingPath: string[];
  tokenCount: number;
  content: string;
  ranking: {
    score: number;
    reason: 'vector' | 'lexical' | 'both';
    vectorRank: number | null;
    similarity: number;
    lexicalRank: number | null;
    lexicalScore: number | null;
    lexicalCoverage: number | null;
  };
}

export interface SearchExplanation {
  results: ExplainedHit[];
  evidence: {
    refused: boolean;
    reason: 'no_hits' | 'record_found_by_words' | 'below_floor' | 'at_or_above_floor' | 'not_measured';
    /** Mean similarity of the question's 10 nearest chunks. */
    evidence: number | null;
    floor: number;
    floorSource: 'configured' | 'corpus';
  };
  ms: number;
}

export interface Citation {
  n: number;
  chunkId: string;
  doc: string;
  title: string;
  heading: string;
  url?: string;
  snippet: string;
}

export interface ChatDone {
  citations: Citation[];
  conversationId: string;
  modules: string[];
  cached: false | 'exact' | 'semantic';
  usage: { promptTokens?: number; completionTokens?: number; totalTokens?: number; model?: string; offline?: boolean };
  removedCitations?: number[];
  standaloneQuestion: string;
  timings: { beforeSearchMs: number | null; searchMs: number | null; firstTokenMs: number | null; totalMs: number };
}

export interface AuditEntry {
  id: string;
  at: string;
  requestId: string;
  clientName: string;
  doctorId: string | null;
  purpose: string | null;
  action: string;
  patientIds: string[];
  chunkIds: string[];
}

export interface MetricsSummary {
  sinceSeconds: number;
  routes: { method: string; route: string; requests: number; serverErrors: number; p50: number | null; p95: number | null; p99: number | null }[];
  cacheLookups: Record<string, number>;
  refusals: Record<string, number>;
  retrieval: { searches: number; p50: number | null; p95: number | null; p99: number | null };
}
