import type pg from 'pg';
import type { Queryable } from '../db/database.js';
import { sha256Hex } from '../lib/sha256.js';
import type { Embedder } from '../llm/embeddings/embedder.js';
import type { Logger } from '../logger.js';
import { CHUNKER_VERSION, chunkDocument } from './chunk/markdown-chunker.js';
import {
  beginAtomicRun,
  beginBulkLoad,
  countStoredChunks,
  deleteSources,
  joinTransaction,
  mergeLexicalPendingList,
  selectStoredSources,
  selectStoredChunks,
  selectStoredContentHashes,
  writeSources,
  writeSourcesConcurrently,
  type BulkLoad,
  type PreparedChunk,
  type PreparedSource,
  type SourceTarget,
  type StoredSource,
} from './index.repository.js';
import type { ChunkingOptions, SourceDocument } from './types.js';

export interface ChangeCounts {
  added: number;
  updated: number;
  unchanged: number;
  deleted: number;
}

export interface SkippedFile {
  path: string;
  reason: string;
  message: string;
}

/** What one indexing run did; the CLI prints it and jobs store it. */
export interface IndexSummary {
  collection: string;
  documents: ChangeCounts;
  chunks: ChangeCounts;
  skipped: SkippedFile[];
  embeddingCalls: number;
  tokensEmbedded: number;
  ms: number;
}

export interface IndexProgress {
  documentsProcessed: number;
  chunksWritten: number;
  embeddingCalls: number;
  /** Document changes so far; deletions are counted when the run finishes. */
  documents: ChangeCounts;
  /** Files skipped so far; the summary names them with their reasons. */
  skipped: number;
}

export interface IndexerDependencies {
  pool: pg.Pool;
  embedder: Embedder;
  chunking: ChunkingOptions;
  logger: Logger;
  /** Default chunks per batch (IndexerOptions.batchChunks), for a database where a batch holds up every request. */
  batchChunks?: number;
}

export interface IndexerOptions {
  signal?: AbortSignal;
  onProgress?: (progress: IndexProgress) => void;
  /**
   * Which stored sources this run owns: all of the collection (a folder re-index), or
   * those under some prefixes (one patient's record parts). Owned sources not seen in
   * the run are deleted at `finish`.
   */
  ownedPrefixes?: string[];
  /** Sources written per batch (each source stays atomic either way). */
  batchSources?: number;
  /** Chunks to embed before a batch is flushed, to bound memory. */
  batchChunks?: number;
  /** Sources the caller expects to add (a folder's file count): large first loads are bulk loads. */
  expectedSources?: number;
  /**
   * Write the whole run, deletions included, in one transaction: a search sees all of it
   * or none (the records sync: every patient of a batch whole, old or new).
   */
  atomic?: boolean;
  /**
   * Write inside this open transaction, which the caller commits or rolls back (the
   * records sync's bulk first sync: many runs, one transaction).
   */
  transaction?: pg.PoolClient;
}

/** A first load of at least this many sources into an index of fewer chunks is one bulk load. */
export const BULK_LOAD_MIN_SOURCES = 1_000;
export const BULK_LOAD_MAX_STORED_CHUNKS = 5_000;

/**
 * Incremental indexing of one collection. Sources arrive one at a time (`add`); a source
 * whose hash is unchanged costs nothing; a changed one is re-chunked, and only chunks
 * whose text is new anywhere in the index are embedded. Writes go in batches (a batch
 * split over two connections, each source in one transaction), so each source is always
 * whole: old version or new.
 */
export class SourceIndexer {
  private readonly started = performance.now();
  private storedSources: Map<string, StoredSource> | undefined;
  private readonly seen = new Set<string>();
  private pending: PreparedSource[] = [];
  private pendingChunks = 0;
  /** Whether any source was written or deleted (then the lexical index's pending entries are merged). */
  private changed = false;
  private readonly summary: IndexSummary;
  private readonly progress = { documentsProcessed: 0, chunksWritten: 0, embeddingCalls: 0 };
  /** Decided at the first write: a bulk load or an atomic run (one transaction), or null = batch by batch. */
  private bulk: BulkLoad | null | undefined;

  constructor(
    private readonly deps: IndexerDependencies,
    private readonly target: SourceTarget,
    private readonly options: IndexerOptions = {},
  ) {
    this.summary = {
      collection: target.collection,
      documents: { added: 0, updated: 0, unchanged: 0, deleted: 0 },
      chunks: { added: 0, updated: 0, unchanged: 0, deleted: 0 },
      skipped: [],
      embeddingCalls: 0,
      tokensEmbedded: 0,
      ms: 0,
    };
  }

  /** Queues a source; flushes a batch when enough work has gathered. */
  async add(document: SourceDocument): Promise<void> {
    this.options.signal?.throwIfAborted();
    const storedSources = await this.loadStoredSources();
    if (this.seen.has(document.sourceId)) {
      this.skip({ path: document.uri, reason: 'duplicate', message: `${document.sourceId} appears twice in this run` });
      return;
    }
    this.seen.add(document.sourceId);
    const stored = storedSources.get(document.sourceId);
    const sourceHash = this.sourceHash(document);
    if (stored?.contentHash === sourceHash) {
      this.summary.documents.unchanged += 1;
      this.summary.chunks.unchanged += stored.chunkCount;
      this.progress.documentsProcessed += 1;
      this.reportProgress();
      return;
    }
    // Chunked now, not at the flush: only the chunks wait for the batch, not the whole
    // document. Documents held for a batch also made V8 allocate every loaded document in
    // the old generation (allocation-site pretenuring); in an unchanged re-run after a first
    // load, those and the bodies they held piled up there as garbage.
    const source = this.prepare(document, sourceHash);
    this.pending.push(source);
    this.pendingChunks += source.chunks.length;
    if (this.pending.length >= (this.options.batchSources ?? 64) || this.pendingChunks >= (this.options.batchChunks ?? this.deps.batchChunks ?? 1024)) {
      await this.flush();
    }
  }

  skip(file: SkippedFile): void {
    this.summary.skipped.push(file);
  }

  /**
   * Writes what is pending, deletes owned sources that were not seen, and returns the
   * summary. On failure nothing of a bulk load stays; batch by batch, what was
   * committed stays (each source whole).
   */
  async finish(): Promise<IndexSummary> {
    try {
      await this.flush();
      await this.deleteMissing();
      if (this.bulk) {
        if (!this.options.atomic && !this.options.transaction) this.deps.logger.info({ collection: this.target.collection }, 'bulk load written: building the HNSW index');
        await this.bulk.commit();
      }
    } catch (error) {
      await this.abandon();
      throw error;
    }
    // Inside the caller's transaction the merge waits for its commit; the caller merges.
    if (this.changed && !this.options.transaction) await mergeLexicalPendingList(this.deps.pool);
    this.summary.ms = Math.round(performance.now() - this.started);
    return this.summary;
  }

  /** Ends a run that will not finish: a bulk load is rolled back. */
  async abandon(): Promise<void> {
    await this.bulk?.abandon();
  }

  private async deleteMissing(): Promise<void> {
    const storedSources = await this.loadStoredSources();
    const missing = [...storedSources.keys()].filter((sourceId) => !this.seen.has(sourceId));
    if (missing.length > 0) {
      this.options.signal?.throwIfAborted();
      const deleted = await deleteSources(this.db(), this.target, missing);
      this.summary.documents.deleted += deleted.length;
      this.summary.chunks.deleted += deleted.reduce((total, sourceId) => total + (storedSources.get(sourceId)?.chunkCount ?? 0), 0);
      this.changed ||= deleted.length > 0;
    }
  }

  /** Inside a bulk load or the caller's transaction, reads go through it: they see its earlier writes. */
  private db(): Queryable {
    return this.bulk?.client ?? this.options.transaction ?? this.deps.pool;
  }

  /** The hash that decides "unchanged": content plus everything that shapes the chunks. */
  private sourceHash(document: SourceDocument): string {
    return sha256Hex(`${document.contentHash}\u0000${CHUNKER_VERSION}\u0000${JSON.stringify(this.deps.chunking)}`);
  }

  private async loadStoredSources(): Promise<Map<string, StoredSource>> {
    this.storedSources ??= await selectStoredSources(this.db(), this.target, this.options.ownedPrefixes);
    return this.storedSources;
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const prepared = this.pending;
    this.pending = [];
    this.pendingChunks = 0;

    if (this.bulk === undefined) this.bulk = await this.startRun();
    const db = this.db();
    // Sources not stored when the run began have no chunks to keep (the write re-checks).
    const stored = await selectStoredChunks(
      db,
      this.target,
      prepared.map((source) => source.sourceId).filter((sourceId) => this.storedSources?.has(sourceId)),
    );
    for (const source of prepared) {
      const storedChunks = stored.get(source.sourceId);
      for (const chunk of source.chunks) chunk.kept = storedChunks?.has(chunk.id) ?? false;
    }
    await this.embedNewChunks(db, prepared);
    this.options.signal?.throwIfAborted();
    // A bulk load is one transaction, so one connection; otherwise sources go in parallel transactions.
    if (this.bulk) await writeSources(this.bulk.client, this.target, prepared);
    else await writeSourcesConcurrently(this.deps.pool, this.target, prepared);

    for (const source of prepared) {
      const isNew = !this.storedSources?.has(source.sourceId);
      if (isNew) this.summary.documents.added += 1;
      else this.summary.documents.updated += 1;
      this.countChunkChanges(source, stored.get(source.sourceId));
      this.progress.chunksWritten += source.chunks.length;
    }
    this.changed = true;
    this.progress.documentsProcessed += prepared.length;
    this.reportProgress();
  }

  /** The transaction this run writes in: the caller's, its own (atomic, bulk load), or none (batch by batch). */
  private async startRun(): Promise<BulkLoad | null> {
    if (this.options.transaction) return joinTransaction(this.options.transaction);
    if (this.options.atomic) return beginAtomicRun(this.deps.pool);
    return this.startBulkLoad();
  }

  /**
   * A bulk load when this is a large first load of the collection into an index that is
   * empty or small; otherwise (or when it cannot start) null: batch by batch.
   */
  private async startBulkLoad(): Promise<BulkLoad | null> {
    const storedSources = await this.loadStoredSources();
    if (storedSources.size > 0 || (this.options.expectedSources ?? 0) < BULK_LOAD_MIN_SOURCES) return null;
    if ((await countStoredChunks(this.deps.pool, BULK_LOAD_MAX_STORED_CHUNKS)) >= BULK_LOAD_MAX_STORED_CHUNKS) return null;
    const bulk = await beginBulkLoad(this.deps.pool);
    this.deps.logger.info({ collection: this.target.collection, bulk: bulk !== null }, 'first load of a collection');
    return bulk;
  }

  /** A source's row and chunks; which chunks are kept is decided at the flush. */
  private prepare(document: SourceDocument, sourceHash: string): PreparedSource {
    const drafts = chunkDocument({ title: document.title, body: document.body }, this.deps.chunking);
    const seenIds = new Set<string>();
    const chunks: PreparedChunk[] = [];
    for (const draft of drafts) {
      const id = sha256Hex(
        JSON.stringify([this.target.sourceKind, this.target.collection, document.sourceId, draft.headingPath, draft.content, document.metadata]),
      );
      // Two identical chunks in one source (a repeated boilerplate paragraph) are one chunk.
      if (seenIds.has(id)) continue;
      seenIds.add(id);
      chunks.push({
        id,
        chunkIndex: chunks.length,
        headingPath: draft.headingPath,
        content: draft.content,
        embeddingText: draft.embeddingText,
        contentHash: sha256Hex(draft.embeddingText),
        tokenCount: draft.tokenCount,
        metadata: document.metadata,
        kept: false,
        embedding: null,
      });
    }
    return {
      sourceId: document.sourceId,
      uri: document.uri,
      module: document.module,
      title: document.title,
      url: document.url,
      sourceHash,
      patientId: document.patientId,
      allowedDoctorIds: document.allowedDoctorIds,
      metadata: document.metadata,
      chunks,
    };
  }

  /** Embeds chunks whose text is stored nowhere yet; identical texts are embedded once. */
  private async embedNewChunks(db: Queryable, sources: PreparedSource[]): Promise<void> {
    const fresh = sources.flatMap((source) => source.chunks.filter((chunk) => !chunk.kept));
    const reusable = await selectStoredContentHashes(
      db,
      fresh.map((chunk) => chunk.contentHash),
    );
    const toEmbed = new Map<string, PreparedChunk[]>();
    for (const chunk of fresh) {
      if (reusable.has(chunk.contentHash)) continue;
      const group = toEmbed.get(chunk.contentHash) ?? [];
      group.push(chunk);
      toEmbed.set(chunk.contentHash, group);
    }
    if (toEmbed.size === 0) return;
    const groups = [...toEmbed.values()];
    const result = await this.deps.embedder.embedDocuments(
      groups.map((group) => group[0]!.embeddingText),
      { signal: this.options.signal },
    );
    groups.forEach((group, index) => {
      for (const chunk of group) chunk.embedding = result.vectors[index]!;
    });
    this.summary.embeddingCalls += result.calls;
    this.summary.tokensEmbedded += result.tokens;
    this.progress.embeddingCalls += result.calls;
  }

  /**
   * Chunk changes of one source: same id = unchanged; a new id where an old chunk at the
   * same position went away = updated; the rest are added or deleted.
   */
  private countChunkChanges(source: PreparedSource, storedChunks: Map<string, number> | undefined): void {
    const counts = this.summary.chunks;
    const newIds = new Set(source.chunks.map((chunk) => chunk.id));
    const goneIndexes = new Set<number>();
    for (const [id, index] of storedChunks ?? []) if (!newIds.has(id)) goneIndexes.add(index);
    for (const chunk of source.chunks) {
      if (chunk.kept) counts.unchanged += 1;
      else if (goneIndexes.delete(chunk.chunkIndex)) counts.updated += 1;
      else counts.added += 1;
    }
    counts.deleted += goneIndexes.size;
  }

  private reportProgress(): void {
    this.options.onProgress?.({ ...this.progress, documents: { ...this.summary.documents }, skipped: this.summary.skipped.length });
  }
}
