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
  options: { signal?: AbortSignal } = {},
): Promise<IndexSummary> {
  const indexer = new SourceIndexer(deps, { sourceKind: 'record', collection: RECORDS_COLLECTION }, {
    signal: options.signal,
    ownedPrefixes: patients.map((patient) => recordSourcePrefix(patient.patient.id)),
  });
  for (const patient of patients) {
    for (const document of patientToDocuments(patient)) await indexer.add(document);
  }
  return indexer.finish();
}
