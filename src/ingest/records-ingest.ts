import type pg from 'pg';
import { patientToDocuments, recordSourcePrefix } from './records/record-documents.js';
import type { PatientRecord } from './records/record.schemas.js';
import { SourceIndexer, type IndexerDependencies, type IndexSummary } from './source-indexer.js';

export const RECORDS_COLLECTION = 'records';

/**
 * Indexes a batch of patients: each patient's readable documents replace that
 * patient's previous ones (parts that no longer exist are deleted); other patients are
 * untouched. Access lists travel with every chunk.
 */
export async function ingestPatientRecords(
  deps: IndexerDependencies,
  patients: PatientRecord[],
  options: { signal?: AbortSignal; atomic?: boolean; transaction?: pg.PoolClient } = {},
): Promise<IndexSummary> {
  const indexer = new SourceIndexer(deps, { sourceKind: 'record', collection: RECORDS_COLLECTION }, {
    signal: options.signal,
    atomic: options.atomic,
    transaction: options.transaction,
    ownedPrefixes: patients.map((patient) => recordSourcePrefix(patient.patient.id)),
  });
  try {
    for (const patient of patients) {
      for (const document of patientToDocuments(patient)) await indexer.add(document);
    }
  } catch (error) {
    // An atomic run's transaction must not outlive the failure.
    await indexer.abandon();
    throw error;
  }
  return indexer.finish();
}

/** Removes every indexed part of these patients (cached answers citing them go in the same statement). */
export async function removePatientRecords(
  deps: IndexerDependencies,
  patientIds: string[],
  options: { transaction?: pg.PoolClient } = {},
): Promise<IndexSummary> {
  const indexer = new SourceIndexer(deps, { sourceKind: 'record', collection: RECORDS_COLLECTION }, {
    ownedPrefixes: patientIds.map(recordSourcePrefix),
    transaction: options.transaction,
  });
  return indexer.finish();
}
