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
  /** The calling app, by its client name. */
  clientName?: string;
  from?: Date;
  to?: Date;
  /** Only entries after this one in the listing's order (older): the next page. */
  after?: AuditCursor;
  limit: number;
}

/** Where a page of the trail ended: the last entry's time (microseconds since the epoch, exact) and id. */
export interface AuditCursor {
  atMicros: string;
  id: string;
}

/** A record, and its time in whole microseconds for the cursor. */
type AuditRow = AuditRecord & { atMicros: string };

// There is deliberately no UPDATE or DELETE here; the table's trigger refuses both anyway.
const INSERT_ENTRY = preparedStatement('audit_insert_entry', `
  INSERT INTO llm_assistant.audit_log (request_id, client_id, client_name, doctor_id, purpose, action, patient_ids, chunk_ids)
  VALUES ($1, $2, $3, $4, $5, $6, $7::uuid[], $8::text[])`);
// The cursor's time is whole microseconds (what timestamptz holds): a JavaScript Date keeps
// milliseconds only, and would skip the entries of the same millisecond.
const SELECT_ENTRIES = `
  SELECT id::text AS id, at, (extract(epoch FROM at) * 1000000)::bigint::text AS "atMicros",
         request_id AS "requestId", client_id AS "clientId", client_name AS "clientName", doctor_id AS "doctorId",
         purpose, action, patient_ids AS "patientIds", chunk_ids AS "chunkIds"
  FROM llm_assistant.audit_log
  WHERE ($1::uuid IS NULL OR patient_ids @> ARRAY[$1::uuid])
    AND ($2::uuid IS NULL OR doctor_id = $2::uuid)
    AND ($3::timestamptz IS NULL OR at >= $3::timestamptz)
    AND ($4::timestamptz IS NULL OR at < $4::timestamptz)
    AND ($6::text IS NULL OR client_name = $6)
    AND ($7::bigint IS NULL OR (at, id) < (timestamptz 'epoch' + $7::bigint * interval '1 microsecond', $8::bigint))
  -- Qualified: a bare \`id\` here would be the text output column, which sorts 10 before 9.
  ORDER BY at DESC, audit_log.id DESC
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

/** Audit entries matching the filter, newest first, and the cursor of the next page (null on the last). */
export async function listAccess(db: Queryable, filter: AuditFilter): Promise<{ entries: AuditRecord[]; next: AuditCursor | null }> {
  // One row more than asked says whether another page follows.
  const { rows } = await db.query<AuditRow>(SELECT_ENTRIES, [
    filter.patientId ?? null,
    filter.doctorId ?? null,
    filter.from ?? null,
    filter.to ?? null,
    filter.limit + 1,
    filter.clientName ?? null,
    filter.after?.atMicros ?? null,
    filter.after?.id ?? null,
  ]);
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return {
    entries: page.map(({ atMicros: _atMicros, ...record }) => record),
    next: rows.length > filter.limit && last ? { atMicros: last.atMicros, id: last.id } : null,
  };
}
