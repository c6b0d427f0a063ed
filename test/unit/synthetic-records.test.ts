import { describe, expect, it } from 'vitest';
import { PatientRecordSchema, type PatientRecord } from '../../src/ingest/records/record.schemas.js';
import { patientToDocuments } from '../../src/ingest/records/record-documents.js';
import { generatePatients, syntheticDoctorIds } from '../../src/ingest/records/synthetic-records.js';
import { Prng } from '../../src/lib/prng.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const generate = (seed: number, patients = 50, doctors = 5) => [...generatePatients({ patients, doctors, seed })];

describe('Prng', () => {
  it('when seeded the same, then it yields the same 32-bit sequence', () => {
    const a = new Prng(1, 2, 3, 4);
    const b = new Prng(1, 2, 3, 4);
    const seqA = Array.from({ length: 100 }, () => a.nextUint32());
    expect(Array.from({ length: 100 }, () => b.nextUint32())).toEqual(seqA);
    expect(seqA.every((n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32)).toBe(true);
  });

  it('when asked for a uuid, then it is UUIDv4-shaped', () => {
    const prng = new Prng(9, 9, 9, 9);
    for (let i = 0; i < 200; i++) expect(prng.uuid()).toMatch(UUID_V4);
  });
});

describe('generatePatients', () => {
  it('when called twice with the same seed, then the output is identical', () => {
    expect(JSON.stringify(generate(42))).toBe(JSON.stringify(generate(42)));
  });

  it('when called with a different seed, then the output differs', () => {
    const a = generate(42);
    const b = generate(43);
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(b));
    expect(a.map((r) => r.patient.id)).not.toEqual(b.map((r) => r.patient.id));
  });

  it('when more patients are requested, then the smaller run is a prefix of the larger one', () => {
    expect(generate(7, 60)).toEqual(generate(7, 120).slice(0, 60));
  });

  it('when records are generated, then every one passes PatientRecordSchema unchanged', () => {
    for (const record of generate(1, 500, 20)) {
      const result = PatientRecordSchema.safeParse(record);
      expect(result.success, result.success ? '' : result.error.message).toBe(true);
      // Parsing must not need to fix anything (defaults, lower-casing, trimming).
      expect(result.data).toEqual(record);
    }
  });

  it('when records are generated, then doctors come from syntheticDoctorIds and ~20% of patients are shared', () => {
    const doctors = syntheticDoctorIds(5, 10);
    expect(new Set(doctors).size).toBe(10);
    doctors.forEach((id) => expect(id).toMatch(UUID_V4));
    const records = generate(5, 2000, 10);
    let shared = 0;
    for (const record of records) {
      expect(record.doctorIds.length === 1 || record.doctorIds.length === 2).toBe(true);
      if (record.doctorIds.length === 2) shared++;
      for (const id of record.doctorIds) expect(doctors).toContain(id);
      for (const appt of record.appointments) expect(record.doctorIds).toContain(appt.doctorId);
    }
    expect(shared / records.length).toBeGreaterThan(0.15);
    expect(shared / records.length).toBeLessThan(0.25);
  });

  it('when records are generated, then shapes are plausible: 1-6 appointments within two years, 0-3 symptoms, 0-2 prescriptions', () => {
    const ids = new Set<string>();
    for (const record of generate(3, 300)) {
      expect(ids.has(record.patient.id)).toBe(false);
      ids.add(record.patient.id);
      expect(record.appointments.length).toBeGreaterThanOrEqual(1);
      expect(record.appointments.length).toBeLessThanOrEqual(6);
      for (const appt of record.appointments) {
        expect(appt.date >= '2024-03-31' && appt.date <= '2026-03-31').toBe(true);
        expect(appt.symptoms.length).toBeLessThanOrEqual(3);
        expect(appt.prescriptions.length).toBeLessThanOrEqual(2);
        if (appt.status === 'completed') expect(appt.medicalRecord).toBeDefined();
      }
      expect(record.patient.contact.email ?? 'x@example.com').toMatch(/@example\.com$/);
    }
  });

  it('when a patient is allergic to penicillin, then no penicillin-class antibiotic is prescribed', () => {
    for (const record of generate(11, 1000)) {
      if (!record.allergies.some((a) => a.allergen === 'Penicillin' || a.allergen === 'Amoxicillin')) continue;
      const meds = record.appointments.flatMap((a) => a.prescriptions.map((p) => p.medication));
      expect(meds.filter((m) => /amoxicillin/i.test(m))).toEqual([]);
    }
  });

  it('when generated records are turned into documents, then every document carries the patient and its doctors', () => {
    for (const record of generate(2, 20)) {
      for (const doc of patientToDocuments(record)) {
        expect(doc.patientId).toBe(record.patient.id);
        expect(doc.allowedDoctorIds.length).toBeGreaterThan(0);
      }
    }
  });

  it('when a visit count is given, then every patient has exactly that many and keeps their id, name and birth date', () => {
    const fixed = [...generatePatients({ patients: 30, doctors: 5, seed: 42, visits: 5 })];
    expect(fixed.every((record) => record.appointments.length === 5)).toBe(true);
    const identity = (record: PatientRecord) => [record.patient.id, record.patient.firstName, record.patient.lastName, record.patient.dateOfBirth];
    expect(fixed.map(identity)).toEqual(generate(42, 30).map(identity));
    for (const record of fixed) expect(PatientRecordSchema.parse(record)).toEqual(record);
  });

  it('when options are invalid, then it throws', () => {
    expect(() => generatePatients({ patients: -1, doctors: 1, seed: 1 }).next()).toThrow(RangeError);
    expect(() => generatePatients({ patients: 1, doctors: 0, seed: 1 }).next()).toThrow(RangeError);
    expect(() => generatePatients({ patients: 1, doctors: 1, seed: 1, endDate: '2026-13-01' }).next()).toThrow(RangeError);
    expect(() => generatePatients({ patients: 1, doctors: 1, seed: 1, endDate: '2026-02-30' }).next()).toThrow(RangeError);
    expect(() => generatePatients({ patients: 1, doctors: 1, seed: 1, visits: 0 }).next()).toThrow(RangeError);
  });
});
