import type { Queryable } from '../db/database.js';

export const API_SCOPES = ['chat', 'search', 'admin'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export interface ApiClient {
  id: string;
  name: string;
  keyPrefix: string;
  scopes: ApiScope[];
  createdAt: Date;
  revokedAt: Date | null;
}

// Named as ApiClient names them, so rows are returned as they come.
const COLUMNS = 'id, name, key_prefix AS "keyPrefix", scopes, created_at AS "createdAt", revoked_at AS "revokedAt"';
const INSERT_CLIENT = `
  INSERT INTO llm_assistant.api_clients (name, key_prefix, key_hash, scopes)
  VALUES ($1, $2, $3, $4)
  RETURNING ${COLUMNS}`;
const SELECT_ACTIVE_BY_PREFIX = `
  SELECT ${COLUMNS}, key_hash AS "keyHash" FROM llm_assistant.api_clients
  WHERE key_prefix = $1 AND revoked_at IS NULL`;
const SELECT_ACTIVE_BY_ID = `SELECT ${COLUMNS} FROM llm_assistant.api_clients WHERE id = $1 AND revoked_at IS NULL`;
const SELECT_ALL = `SELECT ${COLUMNS} FROM llm_assistant.api_clients ORDER BY name, created_at`;
const REVOKE_BY_NAME = `
  UPDATE llm_assistant.api_clients SET revoked_at = now()
  WHERE name = $1 AND revoked_at IS NULL
  RETURNING ${COLUMNS}`;
const COUNT_ACTIVE = `SELECT count(*)::int AS count FROM llm_assistant.api_clients WHERE revoked_at IS NULL`;

/** The `llm_assistant.api_clients` table; keys never pass through here, only their hashes. */
export class ApiClientsRepository {
  constructor(private readonly db: Queryable) {}

  async insert(client: { name: string; keyPrefix: string; keyHash: string; scopes: ApiScope[] }): Promise<ApiClient> {
    const { rows } = await this.db.query<ApiClient>(INSERT_CLIENT, [client.name, client.keyPrefix, client.keyHash, client.scopes]);
    return rows[0]!;
  }

  async findActiveByPrefix(prefix: string): Promise<(ApiClient & { keyHash: string }) | null> {
    const { rows } = await this.db.query<ApiClient & { keyHash: string }>(SELECT_ACTIVE_BY_PREFIX, [prefix]);
    return rows[0] ?? null;
  }

  async findActiveById(id: string): Promise<ApiClient | null> {
    const { rows } = await this.db.query<ApiClient>(SELECT_ACTIVE_BY_ID, [id]);
    return rows[0] ?? null;
  }

  async list(): Promise<ApiClient[]> {
    const { rows } = await this.db.query<ApiClient>(SELECT_ALL);
    return rows;
  }

  async revoke(name: string): Promise<ApiClient | null> {
    const { rows } = await this.db.query<ApiClient>(REVOKE_BY_NAME, [name]);
    return rows[0] ?? null;
  }

  async countActive(): Promise<number> {
    const { rows } = await this.db.query<{ count: number }>(COUNT_ACTIVE);
    return rows[0]?.count ?? 0;
  }
}
