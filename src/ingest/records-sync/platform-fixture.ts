import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { escapeIdentifier } from 'pg';
import type { Queryable } from '../../db/database.js';
import { SQL_DIR } from '../../db/migrations.js';
import { sha256Hex } from '../../lib/sha256.js';
import type { PatientRecord } from '../records/record.schemas.js';
import { PLATFORM_SCHEMA, PLATFORM_TABLES, type PlatformTableKey } from './platform-mapping.js';

/**
 * TEST AND DEVELOPMENT ONLY: the platform's `medical_records` schema
 * (sql/fixtures/medical_records.sql) and generated patients written into it, for the
 * records sync's tests, benchmarks and `scripts/generate-records.ts --database`. The
 * service itself never writes there.
 */
export const PLATFORM_FIXTURE_FILE = path.join(SQL_DIR, 'fixtures', 'medical_records.sql');

/** Creates the fixture schema (idempotent). */
export async function createPlatformFixtureSchema(db: Queryable): Promise<void> {
  await db.query(await readFile(PLATFORM_FIXTURE_FILE, 'utf8'));
}

type FieldRow = Record<string, unknown> & { id: string; parentId?: string };

/** The rows of every table for these patients, keyed by model field names. */
export function patientsToPlatformRows(patients: PatientRecord[]): Record<PlatformTableKey, FieldRow[]> {
  const rows: Record<PlatformTableKey, FieldRow[]> = {
    patients: [], allergies: [], conditions: [], appointments: [], medicalRecords: [], symptoms: [], prescriptions: [], vitalSigns: [], shares: [],
  };
  for (const record of patients) {
    const { patient } = record;
    rows.patients.push({
      id: patient.id,
      firstName: patient.firstName,
      lastName: patient.lastName,
      dateOfBirth: patient.dateOfBirth,
      sex: patient.sex,
      phone: patient.contact.phone,
      email: patient.contact.email,
      address: patient.contact.address,
      emergencyContactName: patient.emergencyContact?.name,
      emergencyContactRelationship: patient.emergencyContact?.relationship,
      emergencyContactPhone: patient.emergencyContact?.phone,
    });
    for (const allergy of record.allergies) rows.allergies.push({ ...allergy, parentId: patient.id });
    for (const condition of record.conditions) rows.conditions.push({ ...condition, parentId: patient.id });
    for (const appointment of record.appointments) {
      const { medicalRecord, symptoms, prescriptions, vitals, ...fields } = appointment;
      rows.appointments.push({ ...fields, parentId: patient.id });
      if (!medicalRecord) {
        if (symptoms.length + prescriptions.length > 0 || vitals) throw new Error(`appointment ${appointment.id}: findings without a medical record`);
        continue;
      }
      const recordId = derivedUuid(appointment.id, 'medical-record');
      rows.medicalRecords.push({ ...medicalRecord, id: recordId, parentId: appointment.id });
      symptoms.forEach((symptom, index) => rows.symptoms.push({ ...symptom, id: derivedUuid(recordId, 'symptom', index), parentId: recordId }));
      for (const prescription of prescriptions) rows.prescriptions.push({ ...prescription, parentId: recordId });
      if (vitals) rows.vitalSigns.push({ ...vitals, id: derivedUuid(recordId, 'vitals'), parentId: recordId });
    }
    // Doctors who see the patient without an appointment of theirs: an explicit share.
    const providers = new Set(record.appointments.map((appointment) => appointment.doctorId));
    for (const doctorId of record.doctorIds.filter((id) => !providers.has(id))) {
      rows.shares.push({ id: derivedUuid(patient.id, 'share', doctorId), parentId: patient.id, doctorId });
    }
  }
  return rows;
}

/** Parents before children, so the foreign keys hold. */
const INSERT_ORDER: PlatformTableKey[] = ['patients', 'allergies', 'conditions', 'appointments', 'medicalRecords', 'symptoms', 'prescriptions', 'vitalSigns', 'shares'];

/** Inserts the patients' rows (call inside a transaction to write them whole). */
export async function writePlatformPatients(db: Queryable, patients: PatientRecord[]): Promise<void> {
  const rows = patientsToPlatformRows(patients);
  for (const key of INSERT_ORDER) await insertPlatformRows(db, key, rows[key]);
}

/**
 * Inserts rows keyed by model field names into the mapped table: the values go as one
 * JSON array and take the table's own column types (jsonb_populate_recordset).
 */
export async function insertPlatformRows(db: Queryable, key: PlatformTableKey, rows: FieldRow[]): Promise<void> {
  const table = PLATFORM_TABLES[key];
  if (!table || rows.length === 0) return;
  const columns = new Map<string, string>([['id', table.id]]);
  if (table.parent) columns.set('parentId', table.parent.column);
  for (const [field, { column }] of Object.entries(table.fields)) columns.set(field, column);
  const json = rows.map((row) => Object.fromEntries([...columns].map(([field, column]) => [column, row[field] ?? null])));
  const list = [...columns.values()].map(escapeIdentifier).join(', ');
  const qualified = `${escapeIdentifier(PLATFORM_SCHEMA)}.${escapeIdentifier(table.name)}`;
  await db.query(`INSERT INTO ${qualified} (${list}) SELECT ${list} FROM jsonb_populate_recordset(NULL::${qualified}, $1::jsonb)`, [
    JSON.stringify(json),
  ]);
}

/** A stable uuid for a row the record model has no id for (symptoms, vital signs...). */
export function derivedUuid(...parts: (string | number)[]): string {
  const hex = sha256Hex(parts.join('\u0000'));
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
