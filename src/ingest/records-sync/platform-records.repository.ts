import type pg from 'pg';
import { escapeIdentifier } from 'pg';
import { withTransaction } from '../../db/database.js';
import { PLATFORM_SCHEMA, PLATFORM_TABLES, type FieldType, type PlatformRow, type PlatformTable, type PlatformTableKey } from './platform-mapping.js';

/** A patient with a change after the watermark, and their latest change time (ISO, microseconds). */
export interface ChangedPatient {
  patientId: string;
  changedAt: string;
}

/** Whether a patient still exists on the platform, and the digest of all their row ids. */
export interface PatientDigest {
  present: boolean;
  digest: string;
}

export type PatientRows = Record<PlatformTableKey, PlatformRow[]>;

export interface PatientsRead {
  rows: Map<string, PatientRows>;
  digests: Map<string, PatientDigest>;
  rowsRead: number;
}

const TABLE_KEYS = (Object.keys(PLATFORM_TABLES) as PlatformTableKey[]).filter((key) => PLATFORM_TABLES[key] !== null);
// Microseconds kept: a watermark rounded to milliseconds would read some rows again, or skip some.
const ISO_INSTANT = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;
const PATIENT_ALIAS = '__patient';

/**
 * Reads the platform's record tables (named in platform-mapping.ts), always in a
 * read-only transaction: the sync's connection never writes there, and one snapshot per
 * read makes a patient's rows and their digest agree.
 */
export class PlatformRecordsRepository {
  private readonly sql = buildQueries();

  constructor(private readonly pool: pg.Pool) {}

  /**
   * Patients with a row changed after `since` (all when null), by latest change time
   * then id, after `after` (keyset paging), at most `limit`.
   */
  changedPatients(since: string | null, after: ChangedPatient | null, limit: number): Promise<ChangedPatient[]> {
    return this.readOnly(async (client) => {
      const { rows } = await client.query<{ patient_id: string; changed_at: string }>(this.sql.changed, [
        since ?? '-infinity',
        after?.changedAt ?? '-infinity',
        after?.patientId ?? '00000000-0000-0000-0000-000000000000',
        limit,
      ]);
      return rows.map((row) => ({ patientId: row.patient_id, changedAt: row.changed_at }));
    });
  }

  /** The platform's clock (the clock of its change columns), ISO with microseconds. */
  now(): Promise<string> {
    return this.readOnly(async (client) => {
      const { rows } = await client.query<{ now: string }>(`SELECT to_char(now() AT TIME ZONE 'UTC', ${ISO_INSTANT}) AS now`);
      return rows[0]!.now;
    });
  }

  /** Patients on the platform, counted up to `limit`: only "at least N?" is asked. */
  countPatients(limit: number): Promise<number> {
    return this.readOnly(async (client) => {
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::integer AS n FROM (SELECT 1 FROM ${qualified(PLATFORM_TABLES.patients)} LIMIT $1) AS p`,
        [limit],
      );
      return rows[0]!.n;
    });
  }

  /** Every row of these patients and their digests, from one snapshot. */
  readPatients(patientIds: string[]): Promise<PatientsRead> {
    return this.readOnly(async (client) => {
      const rows = new Map<string, PatientRows>(patientIds.map((id) => [id, emptyRows()]));
      let rowsRead = 0;
      for (const key of TABLE_KEYS) {
        const result = await client.query<PlatformRow & { [PATIENT_ALIAS]: string }>(this.sql.rows[key]!, [patientIds]);
        rowsRead += result.rows.length;
        for (const { [PATIENT_ALIAS]: patientId, ...row } of result.rows) rows.get(patientId)?.[key].push(row);
      }
      const digests = await this.queryDigests(client, patientIds);
      return { rows, digests, rowsRead: rowsRead + digests.size };
    });
  }

  /** Digests of these patients (the deletion sweep). */
  digests(patientIds: string[]): Promise<Map<string, PatientDigest>> {
    return this.readOnly((client) => this.queryDigests(client, patientIds));
  }

  private async queryDigests(client: pg.PoolClient, patientIds: string[]): Promise<Map<string, PatientDigest>> {
    const { rows } = await client.query<{ patient_id: string; present: boolean; digest: string }>(this.sql.digests, [patientIds]);
    return new Map(rows.map((row) => [row.patient_id, { present: row.present, digest: row.digest }]));
  }

  /** One snapshot for all of `work`'s reads. */
  private readOnly<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return withTransaction(this.pool, work, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }
}

function emptyRows(): PatientRows {
  return Object.fromEntries(Object.keys(PLATFORM_TABLES).map((key) => [key, []])) as unknown as PatientRows;
}

const qualified = (table: PlatformTable) => `${escapeIdentifier(PLATFORM_SCHEMA)}.${escapeIdentifier(table.name)}`;

/** `FROM` clause of a table (alias t) joined up to the patient link, and the patient id expression. */
function patientPath(key: PlatformTableKey): { from: string; patientId: string } {
  let table = PLATFORM_TABLES[key]!;
  let alias = 't';
  let from = `${qualified(table)} t`;
  let depth = 0;
  while (table.parent && table.parent.table !== 'patients') {
    const parent = PLATFORM_TABLES[table.parent.table]!;
    const next = `p${++depth}`;
    from += ` JOIN ${qualified(parent)} ${next} ON ${next}.${escapeIdentifier(parent.id)} = ${alias}.${escapeIdentifier(table.parent.column)}`;
    alias = next;
    table = parent;
  }
  const patientId = table.parent ? `${alias}.${escapeIdentifier(table.parent.column)}` : `${alias}.${escapeIdentifier(table.id)}`;
  return { from, patientId };
}

function fieldExpression(column: string, type: FieldType): string {
  const col = `t.${escapeIdentifier(column)}`;
  switch (type) {
    case 'text':
      return `${col}::text`;
    case 'date':
      return `to_char(${col}, 'YYYY-MM-DD')`;
    case 'timestamp':
      return `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
    case 'integer':
    case 'number':
      return `${col}::float8`;
  }
}

function buildQueries(): { changed: string; digests: string; rows: Partial<Record<PlatformTableKey, string>> } {
  const rows: Partial<Record<PlatformTableKey, string>> = {};
  const changes: string[] = [];
  const ids: string[] = [];
  for (const key of TABLE_KEYS) {
    const table = PLATFORM_TABLES[key]!;
    const { from, patientId } = patientPath(key);
    const fields = Object.entries(table.fields).map(([field, { column, type }]) => `${fieldExpression(column, type)} AS ${escapeIdentifier(field)}`);
    const parent = table.parent ? `t.${escapeIdentifier(table.parent.column)}::text` : 'NULL::text';
    rows[key] =
      `SELECT ${patientId}::text AS ${PATIENT_ALIAS}, t.${escapeIdentifier(table.id)}::text AS id, ${parent} AS "parentId", ${fields.join(', ')} ` +
      `FROM ${from} WHERE ${patientId} = ANY ($1::uuid[])`;
    changes.push(`SELECT ${patientId} AS patient_id, t.${escapeIdentifier(table.changedAt)} AS changed_at FROM ${from} WHERE t.${escapeIdentifier(table.changedAt)} > $1::timestamptz`);
    ids.push(`SELECT ${patientId} AS patient_id, t.${escapeIdentifier(table.id)} AS id FROM ${from} WHERE ${patientId} = ANY ($1::uuid[])`);
  }
  const changed = `
    SELECT patient_id::text, to_char(changed_at AT TIME ZONE 'UTC', ${ISO_INSTANT}) AS changed_at
    FROM (SELECT patient_id, max(changed_at) AS changed_at FROM (${changes.join(' UNION ALL ')}) AS c GROUP BY patient_id) AS p
    WHERE (changed_at, patient_id) > ($2::timestamptz, $3::uuid)
    ORDER BY changed_at, patient_id
    LIMIT $4`;
  // Ordered by uuid (byte order), the same order as sorting the lower-case texts.
  const digests = `
    SELECT p.id::text AS patient_id,
           EXISTS (SELECT FROM ${qualified(PLATFORM_TABLES.patients)} x WHERE x.${escapeIdentifier(PLATFORM_TABLES.patients.id)} = p.id) AS present,
           md5(coalesce(string_agg(r.id::text, ',' ORDER BY r.id), '')) AS digest
    FROM unnest($1::uuid[]) AS p (id)
    LEFT JOIN (${ids.join(' UNION ALL ')}) AS r ON r.patient_id = p.id
    GROUP BY p.id`;
  return { changed, digests, rows };
}
