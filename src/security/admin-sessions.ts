import { randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { KeyValueStore } from '../cache/key-value-store.js';
import { ForbiddenError, UnauthenticatedError } from '../errors.js';
import { sha256Hex } from '../lib/sha256.js';
import type { ApiClientsService, AuthContext } from './api-clients.service.js';

/** A signed-in admin console: the bearer token its cookie holds and the CSRF token its page sends back. */
export interface AdminSession {
  token: string;
  csrfToken: string;
  expiresAt: Date;
  client: AuthContext;
}

const StoredSessionSchema = z.object({ clientId: z.uuid(), csrfToken: z.string().min(1), expiresAt: z.iso.datetime() });

/**
 * Sessions of the admin console. An admin API key is exchanged once for a random token
 * (kept by the browser in an HttpOnly cookie, so the key itself never stays there); the
 * store holds only the token's hash, the client it stands for and its CSRF token, for
 * `ttlSeconds`. Each use checks that the client is still active with the admin scope, so
 * revoking the key ends its sessions too.
 */
export class AdminSessions {
  constructor(
    private readonly deps: { store: KeyValueStore; clients: Pick<ApiClientsService, 'verify' | 'activeClient'>; ttlSeconds: number },
  ) {}

  /** A new session for an admin key: 401 for an invalid or revoked key, 403 for a key without the admin scope. */
  async signIn(key: string): Promise<AdminSession> {
    const client = await this.deps.clients.verify(key);
    if (!client) throw new UnauthenticatedError('The API key is invalid or revoked.');
    if (!client.scopes.includes('admin')) {
      throw new ForbiddenError('Only a key with the "admin" scope may sign in to the admin console.');
    }
    const session: AdminSession = {
      token: randomBytes(32).toString('base64url'),
      csrfToken: randomBytes(32).toString('base64url'),
      expiresAt: new Date(Date.now() + this.deps.ttlSeconds * 1000),
      client,
    };
    const stored = { clientId: client.clientId, csrfToken: session.csrfToken, expiresAt: session.expiresAt.toISOString() };
    await this.deps.store.set(storeKey(session.token), JSON.stringify(stored), this.deps.ttlSeconds);
    return session;
  }

  /** The session a token names while it lasts and its client may still administer; null otherwise. */
  async resume(token: string): Promise<AdminSession | null> {
    const raw = await this.deps.store.get(storeKey(token));
    const parsed = raw === null ? null : StoredSessionSchema.safeParse(JSON.parse(raw));
    if (!parsed?.success) return null;
    const expiresAt = new Date(parsed.data.expiresAt);
    if (expiresAt.getTime() <= Date.now()) return null;
    const client = await this.deps.clients.activeClient(parsed.data.clientId);
    if (!client?.scopes.includes('admin')) {
      await this.signOut(token);
      return null;
    }
    return { token, csrfToken: parsed.data.csrfToken, expiresAt, client };
  }

  async signOut(token: string): Promise<void> {
    await this.deps.store.delete([storeKey(token)]);
  }
}

/** Whether a presented CSRF token is the session's, compared in constant time. */
export function csrfTokenMatches(session: AdminSession, presented: string | undefined): boolean {
  if (!presented) return false;
  const expected = Buffer.from(session.csrfToken);
  const given = Buffer.from(presented);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

// Only the token's hash is a key: whoever reads the store cannot replay a session.
function storeKey(token: string): string {
  return `admin-session:${sha256Hex(token)}`;
}
