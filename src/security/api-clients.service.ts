import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { ConflictError, ValidationError } from '../errors.js';
import { apiKeyMatches, apiKeyPrefix, generateApiKey, hashApiKey } from './api-key.js';
import { API_SCOPES, type ApiClient, type ApiClientsRepository, type ApiScope } from './api-clients.repository.js';

/** The calling app a request was authenticated as; put on the request by the access guard. */
export interface AuthContext {
  clientId: string;
  clientName: string;
  scopes: ApiScope[];
}

export const ClientNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lower-case letters, digits, ".", "_" or "-", at most 64, starting with a letter or digit');
const ScopesSchema = z.array(z.enum(API_SCOPES)).min(1);

const UNIQUE_VIOLATION = '23505';

/** How long a verified key is trusted without looking at the database again. */
export const VERIFIED_KEY_TTL_MS = 1_000;

/**
 * Issues, lists, revokes and verifies API keys. A verified key is remembered for
 * VERIFIED_KEY_TTL_MS (saving a database round trip per request): a revocation takes
 * effect within that second everywhere (`npm run clients -- revoke` in another process,
 * other replicas), and at once in the process that revokes. Unknown and revoked keys are
 * never remembered.
 */
export class ApiClientsService {
  private readonly verified = new LRUCache<string, AuthContext>({ max: 1_000, ttl: VERIFIED_KEY_TTL_MS });
  private readonly active = new LRUCache<string, AuthContext>({ max: 1_000, ttl: VERIFIED_KEY_TTL_MS });

  constructor(private readonly repository: ApiClientsRepository) {}

  /** Creates a client; the returned key is shown once and never stored. */
  async create(name: string, scopes: readonly string[]): Promise<{ client: ApiClient; key: string }> {
    const validName = parseOrThrow(ClientNameSchema, name, 'name');
    const validScopes = [...new Set(parseOrThrow(ScopesSchema, scopes, 'scopes'))];
    const { key, prefix, hash } = generateApiKey();
    try {
      const client = await this.repository.insert({ name: validName, keyPrefix: prefix, keyHash: hash, scopes: validScopes });
      return { client, key };
    } catch (error) {
      if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) {
        throw new ConflictError(`An active client named "${validName}" already exists.`, { code: 'client_exists', cause: error });
      }
      throw error;
    }
  }

  list(): Promise<ApiClient[]> {
    return this.repository.list();
  }

  /** Revokes the active client of that name; null when there is none. */
  async revoke(name: string): Promise<ApiClient | null> {
    const revoked = await this.repository.revoke(name);
    this.verified.clear();
    this.active.clear();
    return revoked;
  }

  hasActiveClients(): Promise<boolean> {
    return this.repository.countActive().then((count) => count > 0);
  }

  /** The client a presented key belongs to, or null for a malformed, unknown or revoked key. */
  async verify(key: string): Promise<AuthContext | null> {
    const prefix = apiKeyPrefix(key);
    if (!prefix) return null;
    // Keyed by the key's hash: the secret itself is not kept beyond the request.
    const hash = hashApiKey(key);
    const known = this.verified.get(hash);
    if (known) return known;
    const client = await this.repository.findActiveByPrefix(prefix);
    if (!client || !apiKeyMatches(key, client.keyHash)) return null;
    const auth: AuthContext = { clientId: client.id, clientName: client.name, scopes: client.scopes };
    this.verified.set(hash, auth);
    return auth;
  }

  /**
   * The client with this id while it is active, or null once revoked: what a console
   * session, which outlives the request its key came with, is checked against. Remembered
   * as long as a verified key, so a revocation ends the sessions within the same second.
   */
  async activeClient(clientId: string): Promise<AuthContext | null> {
    const known = this.active.get(clientId);
    if (known) return known;
    const client = await this.repository.findActiveById(clientId);
    if (!client) return null;
    const auth: AuthContext = { clientId: client.id, clientName: client.name, scopes: client.scopes };
    this.active.set(clientId, auth);
    return auth;
  }
}

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, path: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ValidationError(`Invalid ${path}.`, {
    details: parsed.error.issues.map((issue) => ({ path: [path, ...issue.path].join('.'), message: issue.message })),
  });
}
