import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction, type Queryable } from '../../src/db/database.js';
import type { AuthContext } from '../../src/security/api-clients.service.js';
import { auditRecordAccess } from '../../src/security/audit.js';
import { recordAccess } from '../../src/security/audit.repository.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { databaseBackends } from '../support/services.js';

interface AuditListBody {
  entries: { id: string; at: string; requestId: string; clientName: string; doctorId: string | null; purpose: string | null; action: string; patientIds: string[]; chunkIds: string[] }[];
  nextCursor: string | null;
}

const recordHit = (patientId: string, chunkId = `chunk-${randomUUID()}`) => ({ chunkId, sourceKind: 'record' as const, patientId });
const docHit = () => ({ chunkId: `doc-${randomUUID()}`, sourceKind: 'doc' as const, patientId: null });

describe.each(databaseBackends())('audit trail on %s', (backend) => {
  let app: TestApp;
  let auth: AuthContext;
  beforeAll(async () => {
    app = await startTestApp(backend);
    const { client } = await app.services.apiClients.create('doctor-app', ['chat', 'search']);
    auth = { clientId: client.id, clientName: client.name, scopes: client.scopes };
  });
  afterAll(() => app.close());

  const list = async (query = '', headers: Record<string, string> = app.authHeaders()) => {
    const response = await fetch(`${app.baseUrl}/v1/admin/audit${query}`, { headers });
    return { status: response.status, body: (await response.json()) as AuditListBody & { code?: string } };
  };

  it('when hits include record chunks, then one entry names their patients and chunks, not the documentation hits', async () => {
    const patient = randomUUID();
    const other = randomUUID();
    const doctorId = randomUUID();
    const hits = [recordHit(patient, 'c1'), docHit(), recordHit(patient, 'c2'), recordHit(other, 'c3')];
    await auditRecordAccess(app.services.db.pool, { requestId: 'req-a', auth, doctor: { doctorId, purpose: 'consultation' }, action: 'search' }, hits);

    const { status, body } = await list(`?patientId=${patient}`);
    expect(status).toBe(200);
    expect(body.entries).toHaveLength(1);
    expect(body.entries[0]).toMatchObject({
      requestId: 'req-a',
      clientName: 'doctor-app',
      doctorId,
      purpose: 'consultation',
      action: 'search',
      chunkIds: ['c1', 'c2', 'c3'],
    });
    expect(body.entries[0]!.patientIds.sort()).toEqual([patient, other].sort());
  });

  it('when hits hold documentation only, then nothing is written', async () => {
    const before = await app.services.db.pool.query('SELECT count(*)::int AS n FROM llm_assistant.audit_log');
    await auditRecordAccess(app.services.db.pool, { requestId: 'req-docs', auth, doctor: null, action: 'chat' }, [docHit(), docHit()]);
    const after = await app.services.db.pool.query('SELECT count(*)::int AS n FROM llm_assistant.audit_log');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('when the audit write fails, then auditRecordAccess throws a 503 audit_write_failed so the request fails', async () => {
    const broken = { query: () => Promise.reject(new Error('connection lost')) } as unknown as Queryable;
    await expect(
      auditRecordAccess(broken, { requestId: 'req-x', auth, doctor: null, action: 'chat' }, [recordHit(randomUUID())]),
    ).rejects.toMatchObject({ status: 503, code: 'audit_write_failed', dependency: 'database' });
  });

  it('when an entry is updated, deleted or the table truncated, then the database refuses (append-only)', async () => {
    await recordAccess(app.services.db.pool, auth, {
      requestId: 'req-immutable', action: 'search', doctorId: null, purpose: null, patientIds: [randomUUID()], chunkIds: ['c'],
    });
    const pool = app.services.db.pool;
    await expect(pool.query(`UPDATE llm_assistant.audit_log SET action = 'nothing' WHERE request_id = 'req-immutable'`)).rejects.toThrow(/append-only/);
    await expect(pool.query(`DELETE FROM llm_assistant.audit_log WHERE request_id = 'req-immutable'`)).rejects.toThrow(/append-only/);
    await expect(pool.query('TRUNCATE llm_assistant.audit_log')).rejects.toThrow(/append-only/);
    const { rows } = await pool.query(`SELECT action FROM llm_assistant.audit_log WHERE request_id = 'req-immutable'`);
    expect(rows).toEqual([{ action: 'search' }]);
  });

  it('when entries are listed, then newest come first and doctorId, from/to and limit filter them', async () => {
    const doctorId = randomUUID();
    const patient = randomUUID();
    for (const requestId of ['r1', 'r2', 'r3']) {
      await auditRecordAccess(app.services.db.pool, { requestId, auth, doctor: { doctorId, purpose: null }, action: 'chat' }, [recordHit(patient)]);
    }
    const all = await list(`?doctorId=${doctorId}`);
    expect(all.body.entries.map((entry) => entry.requestId)).toEqual(['r3', 'r2', 'r1']);
    expect((await list(`?doctorId=${doctorId}&limit=2`)).body.entries.map((entry) => entry.requestId)).toEqual(['r3', 'r2']);

    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await list(`?doctorId=${doctorId}&from=${encodeURIComponent(future)}`)).body.entries).toEqual([]);
    const past = new Date(Date.now() - 60_000).toISOString();
    expect((await list(`?doctorId=${doctorId}&from=${encodeURIComponent(past)}&to=${encodeURIComponent(future)}`)).body.entries).toHaveLength(3);
    expect((await list(`?patientId=${randomUUID()}`)).body.entries).toEqual([]);
  });

  it('when entries are paged by cursor and filtered by app, then the pages follow one another without a gap or a repeat', async () => {
    const doctorId = randomUUID();
    const { client: other } = await app.services.apiClients.create('other-app', ['chat']);
    const otherAuth = { clientId: other.id, clientName: other.name, scopes: other.scopes };
    // In one transaction: every entry gets the same `at`, so only the id tells them apart.
    await withTransaction(app.services.db.pool, async (client) => {
      for (const [index, caller] of [auth, otherAuth, auth, auth, otherAuth, auth].entries()) {
        await recordAccess(client, caller, {
          requestId: `page-${index}`, action: 'search', doctorId, purpose: null, patientIds: [randomUUID()], chunkIds: ['c'],
        });
      }
    });

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: AuditListBody } = await list(`?doctorId=${doctorId}&app=doctor-app&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.entries.map((entry) => entry.requestId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['page-5', 'page-3', 'page-2', 'page-0']);
    expect((await list(`?doctorId=${doctorId}&app=other-app`)).body).toMatchObject({ nextCursor: null, entries: [{ requestId: 'page-4' }, { requestId: 'page-1' }] });
  });

  it.each([
    ['a patientId that is not a uuid', '?patientId=John%20Smith'],
    ['a cursor that no page gave', '?cursor=yesterday'],
    ['an unknown parameter', '?patient=x'],
    ['a limit too high', '?limit=100000'],
    ['from after to', `?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z`],
  ])('when the query has %s, then 400 validation_failed', async (_name, query) => {
    const { status, body } = await list(query);
    expect(status).toBe(400);
    expect(body.code).toBe('validation_failed');
  });

  it('when the key lacks the admin scope, then the audit trail is 403', async () => {
    const { key } = await app.services.apiClients.create('no-admin', ['chat', 'search']);
    expect((await list('', { authorization: `Bearer ${key}` })).status).toBe(403);
  });
});
