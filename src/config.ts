import { existsSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './errors.js';

/**
 * The only reader of process.env. Every setting is described and validated here once;
 * the defaults give the embedded mode (PGlite, in-process cache, offline models).
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const num = (min: number, max: number) => z.coerce.number().min(min).max(max);
const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development').describe('Runtime environment.'),
  HOST: z.string().min(1).default('127.0.0.1').describe('Interface the HTTP server binds to (0.0.0.0 in containers).'),
  PORT: int(0, 65535).default(3000).describe('HTTP port.'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('pino log level.'),
  SHUTDOWN_TIMEOUT_MS: int(100, 120_000).default(10_000).describe('How long in-flight requests may take to finish on SIGTERM.'),

  LLM_DATABASE_URL: url(['postgres:', 'postgresql:']).optional().describe('PostgreSQL with pgvector for llm_assistant; wins over DATABASE_URL.'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional().describe('Fallback PostgreSQL URL. With neither set, the embedded PGlite database is used.'),
  EMBEDDED_DATA_DIR: z.string().min(1).default('./.data/pglite').describe('Where the embedded database keeps its files; "memory://" keeps it in memory (tests).'),
  DATABASE_POOL_MAX: int(1, 200).default(10).describe('Connections in the pool for a real PostgreSQL (the embedded one always uses 1).'),
  DATABASE_CONNECT_TIMEOUT_MS: int(100, 120_000).default(5_000).describe('Timeout to open a database connection.'),
  DATABASE_STATEMENT_TIMEOUT_MS: int(100, 600_000).default(15_000).describe('Server-side statement timeout for request queries.'),
  MIGRATE_ON_START: bool.optional().describe('Apply pending migrations at start-up. Default: true for the embedded database, false for a real one.'),

  REDIS_URL: url(['redis:', 'rediss:']).optional().describe('Redis for rate limits, query vectors and admin sessions, shared by replicas; in-process when unset.'),
  REDIS_COMMAND_TIMEOUT_MS: int(10, 60_000).default(500).describe('Per-command Redis timeout; past it the cache is skipped, not the request.'),
  REDIS_KEY_PREFIX: z.string().default('llm-assistant:').describe('Prefix for every Redis key of this service.'),

  OPENAI_API_KEY: z.string().min(1).optional().describe('Enables OpenAI embeddings and chat; offline embedder and extractive answerer without it.'),
  OPENAI_BASE_URL: url(['http:', 'https:']).optional().describe('Any OpenAI-compatible server (Azure proxy, vLLM, Ollama...).'),
  OPENAI_EMBEDDING_MODEL: z.string().min(1).default('text-embedding-3-small').describe('Embedding model (must produce or be asked for 1536 dimensions).'),
  OPENAI_CHAT_MODEL: z.string().min(1).default('gpt-4o-mini').describe('Chat model.'),
  OPENAI_TEMPERATURE: num(0, 2).default(0.1).describe('Chat sampling temperature.'),
  OPENAI_TIMEOUT_MS: int(100, 600_000).default(30_000).describe('Timeout of one OpenAI request.'),
  OPENAI_MAX_RETRIES: int(0, 10).default(3).describe('Retries on 429/5xx/timeouts, with exponential backoff.'),
  OPENAI_EMBEDDING_CONCURRENCY: int(1, 64).default(4).describe('Embedding requests in flight at once during ingestion.'),
  OFFLINE_EMBEDDER: z
    .enum(['hashing', 'sentence-encoder'])
    .default('sentence-encoder')
    .describe('Embedder used when OPENAI_API_KEY is unset: hashing (word features, no model) or sentence-encoder (Universal Sentence Encoder lite in process: better on reworded questions, more memory, far slower ingestion; docs/offline-embedder.md); a change needs a re-index.'),

  CHUNK_TARGET_TOKENS: int(32, 8000).default(350).describe('Chunk size the chunker aims for.'),
  CHUNK_OVERLAP_TOKENS: int(0, 2000).default(50).describe('Tokens repeated between consecutive chunks of a split section.'),
  CHUNK_MAX_TOKENS: int(64, 8191).default(512).describe('Hard ceiling of a chunk, heading path included.'),

  SEARCH_MIN_SIMILARITY: num(-1, 1).optional().describe('Mean similarity the question\'s 10 nearest chunks must reach for it to be answered. Default: measured on the indexed corpus (what unrelated questions reach), never below the embedder\'s floor.'),
  SEARCH_VECTOR_WEIGHT: num(0, 10).optional().describe('Weight of the vector scores in the fusion (default: 0.4 with an offline embedder, 1 with OpenAI).'),
  SEARCH_LEXICAL_WEIGHT: num(0, 10).default(1).describe('Weight of the BM25 scores in the fusion.'),
  SEARCH_EF_SEARCH: int(10, 1000).default(100).describe('hnsw.ef_search set per query.'),
  MODULE_MATCH_THRESHOLD: num(-1, 1).optional().describe('Similarity a module summary needs to be detected (default: calibrated per embedder).'),

  EXAMPLE_CORPUS_DIR: z.string().min(1).default('./examples/docs').describe('Documentation indexed on first start of the embedded default.'),
  INGEST_ALLOWED_ROOTS: z
    .string()
    .default('.')
    .transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean))
    .describe('Comma-separated folders under which POST /v1/admin/reindex may read documents.'),
  INGEST_JOB_STALE_SECONDS: int(2, 3_600)
    .default(30)
    .describe('A running ingest job without a heartbeat for this long is declared failed (its process died) and may be re-run.'),
  INDEX_EXAMPLES_ON_START: bool.optional().describe('Index EXAMPLE_CORPUS_DIR at start when the index is empty. Default: true for the embedded database.'),

  RECORDS_SYNC: z.enum(['on', 'off']).default('off').describe('Read patients\' records from the platform\'s medical_records tables periodically (docs/records-sync.md); `npm run records:sync` runs it by hand either way.'),
  RECORDS_DATABASE_URL: url(['postgres:', 'postgresql:']).optional().describe('Where the records sync reads medical_records, as a role that may only SELECT there (docs/records-sync.md). Default: the service\'s database.'),
  RECORDS_SYNC_INTERVAL_SECONDS: int(5, 3_600).default(30).describe('Pause between two records sync runs.'),
  RECORDS_SYNC_OVERLAP_SECONDS: int(0, 86_400).default(120).describe('A run reads again the changes this long before its watermark: a transaction that commits later than that after stamping its rows would be missed.'),
  RECORDS_SYNC_BATCH_PATIENTS: int(1, 500).default(100).describe('Patients the records sync reads and indexes in one transaction.'),

  CACHE_TTL_SECONDS: int(1, 30 * 86_400).default(86_400).describe('Lifetime of a cached answer.'),
  SEMANTIC_CACHE_MIN_SIMILARITY: num(0, 1).default(0.95).describe('Similarity a cached question needs to answer a new one.'),
  MEMORY_RETENTION_DAYS: int(1, 3650).default(30).describe('Conversations idle longer than this are purged.'),
  MEMORY_WINDOW_TOKENS: int(100, 32_000).default(1_500).describe('Recent turns given to the model; older ones are summarised.'),
  PROMPT_CONTEXT_TOKENS: int(500, 100_000).default(3_000).describe('Token budget for retrieved sources in the prompt.'),

  AUTH_JWT_SECRET: z.string().min(32).optional().describe('HS256 key for signed doctor tokens; when set (or AUTH_JWKS_URL), unsigned doctor ids are refused.'),
  AUTH_JWKS_URL: url(['http:', 'https:']).optional().describe('JWKS endpoint for signed doctor tokens.'),
  AUTH_JWT_ISSUER: z.string().optional().describe('Expected `iss` of doctor tokens.'),
  AUTH_JWT_AUDIENCE: z.string().optional().describe('Expected `aud` of doctor tokens.'),
  ADMIN_CONSOLE_DIR: z.string().min(1).default('./dist/admin-console').describe('The built admin console served at /admin (`npm run build` writes it; npm start builds it first).'),
  ADMIN_SESSION_MINUTES: int(1, 24 * 60).default(30).describe('Lifetime of an admin console session (the cookie an admin API key is exchanged for at sign-in).'),
  DEV_API_KEY_FILE: z.string().default('./.data/dev-api-key').describe('Embedded mode: where the development API key created at first start is kept.'),

  RATE_LIMIT_CLIENT_PER_MINUTE: int(1, 1_000_000).default(600).describe('Requests per minute per API client.'),
  RATE_LIMIT_DOCTOR_PER_MINUTE: int(1, 1_000_000).default(60).describe('Chat and search requests per minute per doctor.'),
  BODY_LIMIT_BYTES: int(1024, 100 * 1024 * 1024).default(1_048_576).describe('Largest JSON request body (records batches included).'),
});

type Env = z.infer<typeof EnvSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  http: { host: string; port: number; shutdownTimeoutMs: number; bodyLimitBytes: number };
  logLevel: Env['LOG_LEVEL'];
  database:
    | { kind: 'postgres'; url: string; poolMax: number; connectTimeoutMs: number; statementTimeoutMs: number; migrateOnStart: boolean }
    | { kind: 'embedded'; dataDir: string; connectTimeoutMs: number; statementTimeoutMs: number; migrateOnStart: boolean };
  redis: { url: string; commandTimeoutMs: number; keyPrefix: string } | null;
  openai: {
    apiKey: string;
    baseURL: string | undefined;
    embeddingModel: string;
    chatModel: string;
    temperature: number;
    timeoutMs: number;
    maxRetries: number;
    embeddingConcurrency: number;
  } | null;
  /** Which embedder stands in when `openai` is null. */
  offlineEmbedder: Env['OFFLINE_EMBEDDER'];
  chunking: { targetTokens: number; overlapTokens: number; maxTokens: number };
  search: {
    minSimilarity: number | undefined;
    vectorWeight: number | undefined;
    lexicalWeight: number;
    efSearch: number;
    moduleMatchThreshold: number | undefined;
  };
  examples: { dir: string; indexOnStart: boolean };
  adminConsole: { dir: string };
  ingest: { allowedRoots: string[]; jobStaleSeconds: number };
  recordsSync: {
    enabled: boolean;
    /** null: read the platform's tables through the service's own database pool. */
    databaseUrl: string | null;
    intervalSeconds: number;
    overlapSeconds: number;
    batchPatients: number;
  };
  cache: { ttlSeconds: number; semanticMinSimilarity: number };
  memory: { retentionDays: number; windowTokens: number };
  prompt: { contextTokens: number };
  auth: {
    jwtSecret: string | undefined;
    jwksUrl: string | undefined;
    issuer: string | undefined;
    audience: string | undefined;
    devApiKeyFile: string;
    adminSessionSeconds: number;
  };
  rateLimit: { clientPerMinute: number; doctorPerMinute: number };
}

/** Every variable the service reads, with its description and default: for `.env.example` and the README. */
export const configVariables: { name: string; description: string; default: string }[] = Object.entries(
  EnvSchema.shape,
).map(([name, schema]) => {
  const parsed = schema.safeParse(undefined);
  const value: unknown = parsed.success ? parsed.data : undefined;
  return {
    name,
    description: schema.description ?? '',
    default: Array.isArray(value)
      ? value.join(',')
      : typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : '',
  };
});

/**
 * Parses the environment once. A bad value throws a ConfigError that names every wrong
 * variable and why, so start-up can print all problems at once and exit.
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings count as unset: `FOO=` in a .env file should not be a validation error.
  const raw = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = EnvSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`, problems);
  }
  const env = parsed.data;
  if (env.CHUNK_OVERLAP_TOKENS >= env.CHUNK_TARGET_TOKENS || env.CHUNK_TARGET_TOKENS > env.CHUNK_MAX_TOKENS) {
    const problem = 'CHUNK_OVERLAP_TOKENS < CHUNK_TARGET_TOKENS <= CHUNK_MAX_TOKENS must hold';
    throw new ConfigError(`Invalid configuration:\n  - ${problem}`, [problem]);
  }

  const databaseUrl = env.LLM_DATABASE_URL ?? env.DATABASE_URL;
  const common = {
    connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
  };
  const config: Config = {
    env: env.NODE_ENV,
    http: {
      host: env.HOST,
      port: env.PORT,
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
      bodyLimitBytes: env.BODY_LIMIT_BYTES,
    },
    logLevel: env.LOG_LEVEL,
    database: databaseUrl
      ? { kind: 'postgres', url: databaseUrl, poolMax: env.DATABASE_POOL_MAX, migrateOnStart: env.MIGRATE_ON_START ?? false, ...common }
      : { kind: 'embedded', dataDir: env.EMBEDDED_DATA_DIR, migrateOnStart: env.MIGRATE_ON_START ?? true, ...common },
    redis: env.REDIS_URL
      ? { url: env.REDIS_URL, commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS, keyPrefix: env.REDIS_KEY_PREFIX }
      : null,
    openai: env.OPENAI_API_KEY
      ? {
          apiKey: env.OPENAI_API_KEY,
          baseURL: env.OPENAI_BASE_URL,
          embeddingModel: env.OPENAI_EMBEDDING_MODEL,
          chatModel: env.OPENAI_CHAT_MODEL,
          temperature: env.OPENAI_TEMPERATURE,
          timeoutMs: env.OPENAI_TIMEOUT_MS,
          maxRetries: env.OPENAI_MAX_RETRIES,
          embeddingConcurrency: env.OPENAI_EMBEDDING_CONCURRENCY,
        }
      : null,
    offlineEmbedder: env.OFFLINE_EMBEDDER,
    chunking: {
      targetTokens: env.CHUNK_TARGET_TOKENS,
      overlapTokens: env.CHUNK_OVERLAP_TOKENS,
      maxTokens: env.CHUNK_MAX_TOKENS,
    },
    search: {
      minSimilarity: env.SEARCH_MIN_SIMILARITY,
      vectorWeight: env.SEARCH_VECTOR_WEIGHT,
      lexicalWeight: env.SEARCH_LEXICAL_WEIGHT,
      efSearch: env.SEARCH_EF_SEARCH,
      moduleMatchThreshold: env.MODULE_MATCH_THRESHOLD,
    },
    examples: { dir: env.EXAMPLE_CORPUS_DIR, indexOnStart: env.INDEX_EXAMPLES_ON_START ?? !databaseUrl },
    adminConsole: { dir: env.ADMIN_CONSOLE_DIR },
    ingest: { allowedRoots: env.INGEST_ALLOWED_ROOTS, jobStaleSeconds: env.INGEST_JOB_STALE_SECONDS },
    recordsSync: {
      enabled: env.RECORDS_SYNC === 'on',
      databaseUrl: env.RECORDS_DATABASE_URL ?? null,
      intervalSeconds: env.RECORDS_SYNC_INTERVAL_SECONDS,
      overlapSeconds: env.RECORDS_SYNC_OVERLAP_SECONDS,
      batchPatients: env.RECORDS_SYNC_BATCH_PATIENTS,
    },
    cache: { ttlSeconds: env.CACHE_TTL_SECONDS, semanticMinSimilarity: env.SEMANTIC_CACHE_MIN_SIMILARITY },
    memory: { retentionDays: env.MEMORY_RETENTION_DAYS, windowTokens: env.MEMORY_WINDOW_TOKENS },
    prompt: { contextTokens: env.PROMPT_CONTEXT_TOKENS },
    auth: {
      jwtSecret: env.AUTH_JWT_SECRET,
      jwksUrl: env.AUTH_JWKS_URL,
      issuer: env.AUTH_JWT_ISSUER,
      audience: env.AUTH_JWT_AUDIENCE,
      devApiKeyFile: env.DEV_API_KEY_FILE,
      adminSessionSeconds: env.ADMIN_SESSION_MINUTES * 60,
    },
    rateLimit: { clientPerMinute: env.RATE_LIMIT_CLIENT_PER_MINUTE, doctorPerMinute: env.RATE_LIMIT_DOCTOR_PER_MINUTE },
  };
  return deepFreeze(config);
}

/** Loads `.env` from the working directory when present (Node's own parser), then the config. */
export function loadConfigFromProcess(envFile = '.env'): Config {
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  return loadConfig(process.env);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
