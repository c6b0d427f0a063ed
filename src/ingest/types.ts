export type SourceKind = 'doc' | 'record';

/** A source loaded and normalised to Markdown, before chunking. */
export interface SourceDocument {
  sourceKind: SourceKind;
  /**
   * Stable identity of the source. Docs: the file's path under the ingested folder,
   * POSIX separators, without extension (`GARD/0000335`). Records: `patient/<uuid>/<part>`.
   */
  sourceId: string;
  /** Where it came from, shown to users (relative path or URI). */
  uri: string;
  module: string | null;
  title: string;
  url: string | null;
  /** Markdown (HTML is converted, plain text kept as paragraphs). No front matter. */
  body: string;
  /** sha256 (hex) of everything that shapes the chunks: body, title, module, url, metadata. */
  contentHash: string;
  metadata: Record<string, unknown>;
  /** Records only: the patient the source is about. */
  patientId: string | null;
  /** Records only: doctors who may see it. Empty for docs (visible to every caller). */
  allowedDoctorIds: string[];
}

/** One chunk as the chunker produces it, before it gets an id and an embedding. */
export interface ChunkDraft {
  chunkIndex: number;
  /** Title first, then the headings above the chunk: ['Asthma', 'Treatment']. */
  headingPath: string[];
  /** The chunk's own text, as shown in citations (no heading prefix). */
  content: string;
  /** Heading path + content: what gets embedded. */
  embeddingText: string;
  /** Tokens of `embeddingText` (cl100k_base). */
  tokenCount: number;
}

export interface ChunkingOptions {
  /** Aim for chunks of about this many tokens. */
  targetTokens: number;
  /** Tokens repeated from the end of the previous chunk when a section is split. */
  overlapTokens: number;
  /** Hard ceiling: no chunk's embeddingText exceeds this. */
  maxTokens: number;
}
