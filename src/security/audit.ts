import type { Queryable } from '../db/database.js';
import type { SearchHit } from '../retrieval/search.types.js';
import type { AuthContext } from './api-clients.service.js';
import { recordAccess } from './audit.repository.js';
import type { DoctorContext } from './doctor-identity.js';

/** What the audit trail needs of a search hit. */
export type AuditedHit = Pick<SearchHit, 'chunkId' | 'sourceKind' | 'patientId'>;

/** Who reads patient data, and what for: the verified calling app and doctor of one request. */
export interface RecordReader {
  requestId: string;
  auth: AuthContext;
  doctor: DoctorContext | null;
  /** What the data was read for: 'search', 'chat'... */
  action: string;
}

/**
 * Writes the audit entry for the record chunks among `hits` (nothing when there are
 * none). Call it before the data leaves: it throws when the write fails, so the request
 * fails instead of returning patient data without a trace.
 */
export async function auditRecordAccess(db: Queryable, reader: RecordReader, hits: readonly AuditedHit[]): Promise<void> {
  const records = hits.filter((hit) => hit.sourceKind === 'record');
  if (records.length === 0) return;
  const patientIds = [...new Set(records.flatMap((hit) => (hit.patientId ? [hit.patientId] : [])))];
  await recordAccess(db, reader.auth, {
    requestId: reader.requestId,
    action: reader.action,
    doctorId: reader.doctor?.doctorId ?? null,
    purpose: reader.doctor?.purpose ?? null,
    patientIds,
    chunkIds: [...new Set(records.map((hit) => hit.chunkId))],
  });
}
