import type { Queryable } from '../db/database.js';
import { preparedStatement } from '../db/prepared-statement.js';
import { DependencyError } from '../errors.js';

/** One access to patient data: who (app, doctor), why, through which request, which chunks. */
export interface AuditEntry {
  requestId: string;
  action: string;
  doctorId: string | null;
  purpose: string | null;
  patientIds: string[];
  chunkIds: string[];
}

export interface AuditClient {
  clientId: string;
  clientName: string;
}

export interface AuditRecord extends AuditEntry, AuditClient {
  /** bigserial, as a string: JSON numbers cannot hold every int8. */
  id: string;
  at: Date;
}

export interface AuditFilter {
  patientId?: string;
  doctorId?: string;
  from?: Date;
  to?: Date;
  limit: number;
}

interface AuditRow {
  id: string;
  at: Date;
  request_id: string;
  client_id: string;
  client_name: string;
  doctor_id: string | null;
  purpose: string | null;
  action: string;
  patient_ids: string[];
  chunk_ids: string[];
}

// There is deliberately no UPDATE or DELETE here; the table's trigger refuses both anyway.
const INSERT_ENTRY = preparedStatement('audit_insert_entry', `
  INSERT INTO llm_assistant.audit_log (request_id, client_id, client_name, doctor_id, purpose, action, patient_ids, chunk_ids)
  VALUES ($1, $2, $3, $4, $5, $6, $7::uuid[], $8::text[])`);
const SELECT_ENTRIES = `
  SELECT id::text AS id, at, request_id, client_id, client_name, doctor_id, purpose, action, patient_ids, chunk_ids
  FROM llm_assistant.audit_log
  WHERE ($1::uuid IS NULL OR patient_ids @> ARRAY[$1::uuid])
    AND ($2::uuid IS NULL OR doctor_id = $2::uuid)
    AND ($3::timestamptz IS NULL OR at >= $3::timestamptz)
    AND ($4::timestamptz IS NULL OR at < $4::timestamptz)
  ORDER BY at DESC, id DESC
  LIMIT $5`;

/**
 * Appends one audit entry. A failure is a DependencyError: the caller's request must fail
 * rather than hand out patient data that left no trace.
 */
export async function recordAccess(db: Queryable, client: AuditClient, entry: AuditEntry): Promise<void> {
  try {
    await db.query(INSERT_ENTRY([
      entry.requestId,
      client.clientId,
      client.clientName,
      entry.doctorId,
      entry.purpose,
      entry.action,
      entry.patientIds,
      entry.chunkIds,
    ]));
  } catch (error) {
    throw new DependencyError('database', 'The audit trail could not be written; no data was returned.', {
      code: 'audit_write_failed',
      cause: error,
    });
  }
}

/** Audit entries matching the filter, newest first. */
export async function listAccess(db: Queryable, filter: AuditFilter): Promise<AuditRecord[]> {
  const { rows } = await db.query<AuditRow>(SELECT_ENTRIES, [
    filter.patientId ?? null,
    filter.doctorId ?? null,
    filter.from ?? null,
    filter.to ?? null,
    filter.limit,
  ]);
  return rows.map((row) => ({
    id: row.id,
    at: row.at,
    requestId: row.request_id,
    clientId: row.client_id,
    clientName: row.client_name,
    doctorId: row.doctor_id,
    purpose: row.purpose,
    action: row.action,
    patientIds: row.patient_ids,
    chunkIds: row.chunk_ids,
  }));
}
