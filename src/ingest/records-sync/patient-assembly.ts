import { z } from 'zod';
import {
  AllergySchema,
  AppointmentSchema,
  ConditionSchema,
  MedicalRecordSchema,
  PatientRecordSchema,
  PatientSchema,
  PrescriptionSchema,
  SymptomSchema,
  VitalSignsSchema,
  type Appointment,
  type PatientRecord,
} from '../records/record.schemas.js';
import { PLATFORM_TABLES, toModel, type PlatformRow, type PlatformTableKey } from './platform-mapping.js';
import type { PatientRows } from './platform-records.repository.js';

/** A row the sync could not use: which table, which id, what is wrong (no values: they may be PHI). */
export interface RowProblem {
  table: string;
  id: string;
  message: string;
}

export type Assembly =
  | { kind: 'record'; record: PatientRecord; problems: RowProblem[] }
  /** No appointment provider and no share: nobody may see the patient. */
  | { kind: 'no_doctor'; problems: RowProblem[] }
  /** The patient row itself is unusable. */
  | { kind: 'broken'; problems: RowProblem[] };

const AppointmentFieldsSchema = AppointmentSchema.omit({ medicalRecord: true, symptoms: true, prescriptions: true, vitals: true });
const ShareSchema = z.strictObject({ doctorId: z.uuid().toLowerCase() });

/**
 * One patient's platform rows as the record the ingester takes. Each row is checked on
 * its own against the record schemas: a bad row is reported and left out (with the rows
 * that hang from it), the rest of the patient is still indexed.
 */
export function assemblePatient(rows: PatientRows): Assembly {
  const problems: RowProblem[] = [];
  const parse = <T extends z.ZodType>(key: PlatformTableKey, schema: T, row: PlatformRow, value: unknown): z.output<T> | null => {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    const issue = result.error.issues[0]!;
    problems.push({ table: PLATFORM_TABLES[key]!.name, id: row.id, message: `${issue.path.join('.') || 'row'}: ${issue.message}` });
    return null;
  };

  const patientRow = rows.patients[0];
  const patient = patientRow ? parse('patients', PatientSchema, patientRow, toModel.patient(patientRow)) : null;
  if (!patient) return { kind: 'broken', problems };

  const appointments = new Map<string, Appointment>();
  for (const row of rows.appointments) {
    const fields = parse('appointments', AppointmentFieldsSchema, row, toModel.withId(row));
    if (fields) appointments.set(row.id, { ...fields, symptoms: [], prescriptions: [] });
  }
  // Medical record id -> its appointment: symptoms, prescriptions and vitals hang from it.
  const byRecord = new Map<string, Appointment>();
  for (const row of rows.medicalRecords) {
    const appointment = appointments.get(row.parentId ?? '');
    const medicalRecord = appointment ? parse('medicalRecords', MedicalRecordSchema, row, toModel.fieldsOnly(row)) : null;
    if (appointment && medicalRecord) {
      appointment.medicalRecord = medicalRecord;
      byRecord.set(row.id, appointment);
    }
  }
  for (const row of rows.symptoms) {
    const appointment = byRecord.get(row.parentId ?? '');
    const symptom = appointment ? parse('symptoms', SymptomSchema, row, toModel.fieldsOnly(row)) : null;
    if (appointment && symptom) appointment.symptoms.push(symptom);
  }
  for (const row of rows.prescriptions) {
    const appointment = byRecord.get(row.parentId ?? '');
    const prescription = appointment ? parse('prescriptions', PrescriptionSchema, row, toModel.withId(row)) : null;
    if (appointment && prescription) appointment.prescriptions.push(prescription);
  }
  for (const row of rows.vitalSigns) {
    const appointment = byRecord.get(row.parentId ?? '');
    const vitals = appointment ? parse('vitalSigns', VitalSignsSchema, row, toModel.fieldsOnly(row)) : null;
    if (appointment && vitals) appointment.vitals = vitals;
  }
  const allergies = rows.allergies.flatMap((row) => parse('allergies', AllergySchema, row, toModel.withId(row)) ?? []);
  const conditions = rows.conditions.flatMap((row) => parse('conditions', ConditionSchema, row, toModel.withId(row)) ?? []);
  const shared = rows.shares.flatMap((row) => parse('shares', ShareSchema, row, toModel.fieldsOnly(row))?.doctorId ?? []);

  const doctorIds = [...new Set([...[...appointments.values()].map((a) => a.doctorId), ...shared])].sort();
  if (doctorIds.length === 0) return { kind: 'no_doctor', problems };
  const whole = PatientRecordSchema.safeParse({ patient, doctorIds, allergies, conditions, appointments: [...appointments.values()] });
  if (!whole.success) {
    const issue = whole.error.issues[0]!;
    problems.push({ table: PLATFORM_TABLES.patients.name, id: patientRow!.id, message: `${issue.path.join('.')}: ${issue.message}` });
    return { kind: 'broken', problems };
  }
  return { kind: 'record', record: whole.data, problems };
}
