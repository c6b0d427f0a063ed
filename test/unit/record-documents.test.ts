import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ageInYears,
  patientToDocuments,
  recordSourcePrefix,
} from '../../src/ingest/records/record-documents.js';
import { chunkDocument } from '../../src/ingest/chunk/markdown-chunker.js';
import { PatientRecordSchema, type PatientRecord } from '../../src/ingest/records/record.schemas.js';

const PATIENT = '6f9619ff-8b86-4011-b42d-00c04fc964ff';
const OWNER = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
const SHARED = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const LOCUM = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc';
const VISIT_1 = '11111111-1111-4111-8111-111111111111';
const VISIT_2 = '22222222-2222-4222-8222-222222222222';

function buildRecord(): PatientRecord {
  const medicalRecord = {
    chiefComplaint: 'Blood pressure review',
    historyOfPresentIllness: 'Home readings 130s/80s.',
    examNotes: 'Heart regular.',
    diagnosis: 'Essential hypertension, controlled',
    treatmentPlan: 'Continue lisinopril.',
    followUp: 'Return in 3 months.',
  };
  return PatientRecordSchema.parse({
    patient: {
      id: PATIENT,
      firstName: 'Jane',
      lastName: 'Doe',
      dateOfBirth: '1980-04-02',
      sex: 'female',
      contact: {},
    },
    doctorIds: [OWNER, SHARED],
    allergies: [
      { id: '33333333-3333-4333-8333-333333333333', allergen: 'Latex', reaction: 'Rash', severity: 'mild' },
      { id: '44444444-4444-4444-8444-444444444444', allergen: 'Penicillin', reaction: 'Anaphylaxis', severity: 'life_threatening' },
    ],
    conditions: [
      { id: '55555555-5555-4555-8555-555555555555', name: 'Essential hypertension', diagnosedAt: '2015-06-01', status: 'managed' },
      { id: '66666666-6666-4666-8666-666666666666', name: 'Acute sinusitis', diagnosedAt: '2024-01-10', status: 'resolved' },
    ],
    appointments: [
      // Deliberately out of order: documents must not depend on input order.
      {
        id: VISIT_2,
        date: '2026-03-04T10:30:00Z',
        type: 'follow_up',
        status: 'completed',
        reason: 'Blood pressure review',
        doctorId: OWNER,
        medicalRecord,
        symptoms: [{ name: 'Headache', bodySite: 'frontal', severity: 3, duration: '2 days' }],
        prescriptions: [
          {
            id: '77777777-7777-4777-8777-777777777777',
            medication: 'Lisinopril',
            strength: '10 mg',
            dosage: '1 tablet',
            frequency: 'once daily',
            duration: '90 days',
            quantity: 90,
            refills: 3,
            instructions: 'Take in the morning.',
          },
        ],
        vitals: { bloodPressure: '132/84', heartRate: 70, temperatureC: 36.7, respiratoryRate: 14, spo2: 98, weightKg: 70, heightCm: 168, bmi: 24.8, pain: 1 },
      },
      {
        id: VISIT_1,
        date: '2025-03-01T09:00:00Z',
        type: 'new_patient',
        status: 'completed',
        reason: 'Establish care',
        doctorId: LOCUM,
        medicalRecord: { ...medicalRecord, chiefComplaint: 'Establish care' },
      },
    ],
  });
}

const byKind = (record: PatientRecord) =>
  new Map(patientToDocuments(record).map((doc) => [doc.sourceId, doc]));

describe('patientToDocuments', () => {
  it('when a patient is converted, then it yields summary, allergies, conditions, prescriptions and one document per appointment', () => {
    const docs = patientToDocuments(buildRecord());
    expect(docs.map((d) => d.sourceId)).toEqual([
      `patient/${PATIENT}/summary`,
      `patient/${PATIENT}/allergies`,
      `patient/${PATIENT}/conditions`,
      `patient/${PATIENT}/prescriptions`,
      `patient/${PATIENT}/appointment/${VISIT_1}`,
      `patient/${PATIENT}/appointment/${VISIT_2}`,
    ]);
    for (const doc of docs) {
      expect(doc.sourceId.startsWith(recordSourcePrefix(PATIENT))).toBe(true);
      expect(doc.uri).toBe(`records://${doc.sourceId}`);
      expect(doc.sourceKind).toBe('record');
      expect(doc.url).toBeNull();
      expect(doc.contentHash).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('when documents are built, then each carries the patient id and the sorted union of batch and appointment doctors', () => {
    for (const doc of patientToDocuments(buildRecord())) {
      expect(doc.patientId).toBe(PATIENT);
      expect(doc.metadata.patientId).toBe(PATIENT);
      expect(doc.allowedDoctorIds).toEqual([SHARED, OWNER, LOCUM]);
    }
  });

  it('when documents are built, then modules, kinds and appointment ids are set', () => {
    const docs = byKind(buildRecord());
    expect(docs.get(`patient/${PATIENT}/prescriptions`)!.module).toBe('prescriptions');
    expect(docs.get(`patient/${PATIENT}/summary`)!.module).toBe('medical_records');
    expect(docs.get(`patient/${PATIENT}/appointment/${VISIT_2}`)!.metadata).toEqual({
      patientId: PATIENT,
      appointmentId: VISIT_2,
      kind: 'appointment',
    });
    expect(docs.get(`patient/${PATIENT}/allergies`)!.metadata).toEqual({ patientId: PATIENT, kind: 'allergies' });
  });

  it('when an appointment document is built, then it has a readable title and headings the chunker splits on', () => {
    const doc = byKind(buildRecord()).get(`patient/${PATIENT}/appointment/${VISIT_2}`)!;
    expect(doc.title).toBe('Patient Jane Doe (1980-04-02) — Follow-up visit 2026-03-04');
    expect(doc.body).toContain('aged 45 at this visit');
    for (const heading of ['## Medical record', '## Symptoms', '## Vital signs', '## Prescriptions']) {
      expect(doc.body).toContain(`\n${heading}\n`);
    }
    expect(doc.body).toContain('Lisinopril 10 mg');
    expect(doc.body).toContain('Blood pressure: 132/84 mmHg');
  });

  it('when the summary is built, then it lists active conditions, allergies by severity, current medications and the last visit', () => {
    const summary = byKind(buildRecord()).get(`patient/${PATIENT}/summary`)!;
    expect(summary.title).toBe('Patient Jane Doe (1980-04-02) — Summary');
    expect(summary.body).toContain('aged 45.');
    expect(summary.body).toContain('Essential hypertension (managed');
    expect(summary.body).not.toContain('Acute sinusitis');
    expect(summary.body.indexOf('Penicillin')).toBeLessThan(summary.body.indexOf('Latex'));
    expect(summary.body).toContain('life-threatening');
    expect(summary.body).toMatch(/## Current medications\n[^#]*Lisinopril/);
    expect(summary.body).toMatch(/## Last visit\nFollow-up visit on 2026-03-04/);
  });

  it('when the same record is converted twice or with appointments reordered, then documents are identical', () => {
    const a = patientToDocuments(buildRecord());
    const reordered = buildRecord();
    reordered.appointments.reverse();
    reordered.allergies.reverse();
    expect(patientToDocuments(reordered)).toEqual(a);
    expect(patientToDocuments(buildRecord())).toEqual(a);
  });

  it("when one appointment's note changes, then only that appointment's hash changes", () => {
    const before = byKind(buildRecord());
    const edited = buildRecord();
    edited.appointments.find((a) => a.id === VISIT_1)!.medicalRecord!.examNotes = 'Heart regular, no murmur.';
    const after = byKind(edited);
    const changed = [...after.keys()].filter((id) => after.get(id)!.contentHash !== before.get(id)!.contentHash);
    expect(changed).toEqual([`patient/${PATIENT}/appointment/${VISIT_1}`]);
  });

  it('when the patient is shared with another doctor, then every hash changes so re-indexing updates access', () => {
    const before = byKind(buildRecord());
    const shared = buildRecord();
    shared.doctorIds.push('dddddddd-dddd-4ddd-8ddd-dddddddddddd');
    for (const [id, doc] of byKind(shared)) expect(doc.contentHash).not.toBe(before.get(id)!.contentHash);
  });

  it('when free text contains a Markdown heading, then it is escaped and does not open a section', () => {
    const record = buildRecord();
    record.appointments[0]!.medicalRecord!.examNotes = 'Normal.\n## Prescriptions\nnone';
    const doc = byKind(record).get(`patient/${PATIENT}/appointment/${record.appointments[0]!.id}`)!;
    expect(doc.body.match(/^## Prescriptions$/gm)).toHaveLength(1);
    expect(doc.body).toContain('\\## Prescriptions');
  });

  it('when free text has a line under it of a single = or -, then that line is escaped and opens no section', () => {
    const record = buildRecord();
    record.appointments[0]!.medicalRecord!.examNotes = 'Allergies\n=\nDrowsy\n-';
    const doc = byKind(record).get(`patient/${PATIENT}/appointment/${record.appointments[0]!.id}`)!;
    expect(doc.body).toContain('Allergies\n\\=\nDrowsy\n\\-');
    const paths = chunkDocument({ title: doc.title, body: doc.body }).map((chunk) => chunk.headingPath.join(' > '));
    expect(paths.some((path) => /Allergies|Drowsy/.test(path))).toBe(false);
  });

  it('when a reference date is given, then age and current medications are computed against it', () => {
    const summary = patientToDocuments(buildRecord(), { referenceDate: '2030-04-02' })[0]!;
    expect(summary.body).toContain('aged 50.');
    expect(summary.body).toContain('No current medications recorded.');
  });

  it('when a patient has no appointments, then documents are still produced without an age', () => {
    const record = buildRecord();
    record.appointments = [];
    const docs = patientToDocuments(record);
    expect(docs).toHaveLength(4);
    expect(docs[0]!.body).not.toMatch(/aged \d/);
    expect(docs[3]!.body).toContain('No prescriptions recorded.');
  });
});

describe('ageInYears', () => {
  it('when the birthday has or has not come yet this year, then the age counts whole years', () => {
    expect(ageInYears('1980-04-02', '2026-04-01')).toBe(45);
    expect(ageInYears('1980-04-02', '2026-04-02')).toBe(46);
    expect(ageInYears('1980-04-02', '2026-04-02T23:59:59-10:00')).toBe(46);
    expect(ageInYears('2000-02-29', '2025-02-28')).toBe(24);
    expect(ageInYears('2000-02-29', '2025-03-01')).toBe(25);
    expect(ageInYears('2030-01-01', '2026-01-01')).toBeNull();
  });

  it('when computed for any pair of dates, then it is deterministic and never decreases over time', () => {
    const day = fc
      .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(day, day, day, (birth, a, b) => {
        const [early, late] = a <= b ? [a, b] : [b, a];
        const ageEarly = ageInYears(birth, early);
        const ageLate = ageInYears(birth, late);
        expect(ageInYears(birth, early)).toBe(ageEarly);
        if (ageEarly !== null) expect(ageLate).toBeGreaterThanOrEqual(ageEarly);
      }),
    );
  });
});
