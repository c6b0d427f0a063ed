import { describe, expect, it } from 'vitest';
import { PatientRecordSchema, type PatientRecord } from '../../src/ingest/records/record.schemas.js';
import { generatePatients } from '../../src/ingest/records/synthetic-records.js';
import { assemblePatient } from '../../src/ingest/records-sync/patient-assembly.js';
import { patientsToPlatformRows } from '../../src/ingest/records-sync/platform-fixture.js';
import type { PatientRows } from '../../src/ingest/records-sync/platform-records.repository.js';

/** One patient's platform rows as the repository hands them over (fields by model name). */
function rowsOf(record: PatientRecord): PatientRows {
  return patientsToPlatformRows([record]) as unknown as PatientRows;
}

const patients = [...generatePatients({ patients: 40, doctors: 4, seed: 7 })];
const normalised = (record: PatientRecord) => PatientRecordSchema.parse({ ...record, doctorIds: [...record.doctorIds].sort() });

describe('assemblePatient', () => {
  it('when rows come from a record, then they assemble into the same record', () => {
    for (const record of patients) {
      const assembly = assemblePatient(rowsOf(record));
      expect(assembly.kind).toBe('record');
      if (assembly.kind !== 'record') continue;
      expect(assembly.problems).toEqual([]);
      expect(assembly.record).toEqual(normalised(record));
    }
  });

  it('when a prescription is broken, then it alone is reported by table and id and left out', () => {
    const record = patients.find((p) => p.appointments.some((a) => a.prescriptions.length > 0))!;
    const rows = rowsOf(record);
    const bad = rows.prescriptions[0]!;
    bad.quantity = -3;
    const assembly = assemblePatient(rows);
    expect(assembly.problems).toEqual([{ table: 'prescriptions', id: bad.id, message: expect.stringContaining('quantity') as string }]);
    expect(assembly.kind).toBe('record');
    if (assembly.kind !== 'record') return;
    const prescriptionIds = assembly.record.appointments.flatMap((a) => a.prescriptions.map((p) => p.id));
    expect(prescriptionIds).not.toContain(bad.id);
    expect(prescriptionIds).toHaveLength(rows.prescriptions.length - 1);
  });

  it('when a medical record is broken, then what hangs from it is left out with it', () => {
    const record = patients.find((p) => p.appointments.some((a) => a.prescriptions.length > 0))!;
    const rows = rowsOf(record);
    const withRx = rows.medicalRecords.find((mr) => rows.prescriptions.some((rx) => rx.parentId === mr.id))!;
    withRx.diagnosis = '   ';
    const assembly = assemblePatient(rows);
    expect(assembly.problems).toEqual([expect.objectContaining({ table: 'medical_records', id: withRx.id })]);
    if (assembly.kind !== 'record') throw new Error(assembly.kind);
    const appointment = assembly.record.appointments.find((a) => a.id === withRx.parentId)!;
    expect(appointment.medicalRecord).toBeUndefined();
    expect(appointment.prescriptions).toEqual([]);
  });

  it('when the patient row is broken, then the patient is reported and not assembled', () => {
    const rows = rowsOf(patients[0]!);
    rows.patients[0]!.sex = 'robot';
    expect(assemblePatient(rows)).toEqual({ kind: 'broken', problems: [expect.objectContaining({ table: 'patients', id: patients[0]!.patient.id })] });
  });

  it('when nobody is left to see the patient, then it says so', () => {
    const rows = rowsOf(patients[0]!);
    for (const key of ['appointments', 'medicalRecords', 'symptoms', 'prescriptions', 'vitalSigns', 'shares'] as const) rows[key] = [];
    expect(assemblePatient(rows).kind).toBe('no_doctor');
  });

  it('when a patient is shared, then the shared doctor is among those who may see it', () => {
    const rows = rowsOf(patients[0]!);
    const doctor = '0b7e1d2c-3f4a-4b5c-8d6e-7f8091a2b3c4';
    rows.shares.push({ id: '1b7e1d2c-3f4a-4b5c-8d6e-7f8091a2b3c4', parentId: patients[0]!.patient.id, doctorId: doctor });
    const assembly = assemblePatient(rows);
    expect(assembly.kind === 'record' && assembly.record.doctorIds).toContain(doctor);
  });
});
