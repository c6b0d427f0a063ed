import type { Queryable } from '../db/database.js';
import type { DoctorContext } from '../http/doctor-context.js';
import type { SearchHit } from '../retrieval/search.types.js';
import type { AuthContext } from './api-clients.service.js';
import { recordAccess } from './audit.repository.js';

/** What the audit trail needs of a search hit. */
export type AuditedHit = Pick<SearchHit, 'chunkId' | 'sourceKind' | 'patientId'>;

export interface RecordAccessInput {
  requestId: string;
  auth: AuthContext;
  doctor: DoctorContext | null;
  /** What the data was read for: 'search', 'chat', 'records.read'... */
  action: string;
  hits: readonly AuditedHit[];
}

/**
 * Writes the audit entry for the record chunks among `hits` (nothing when there are
 * none). Call it before the response leaves: it throws when the write fails, so the
 * request fails instead of returning patient data without a trace.
 */
export async function auditRecordAccess(deps: { db: Queryable }, input: RecordAccessInput): Promise<void> {
  const records = input.hits.filter((hit) => hit.sourceKind === 'record');
  if (records.length === 0) return;
  const patientIds = [...new Set(records.flatMap((hit) => (hit.patientId ? [hit.patientId] : [])))];
  await recordAccess(deps.db, input.auth, {
    requestId: input.requestId,
    action: input.action,
    doctorId: input.doctor?.doctorId ?? null,
    purpose: input.doctor?.purpose ?? null,
    patientIds,
    chunkIds: [...new Set(records.map((hit) => hit.chunkId))],
  });
}
