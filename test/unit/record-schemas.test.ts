import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import {
  PatientRecordSchema,
  RecordsBatchSchema,
  parseRecordsBatch,
  recordIssueDetails,
  type PatientRecordInput,
} from '../../src/ingest/records/record.schemas.js';

const DOCTOR = '0b6f8c1e-2f4a-4c3b-9d1e-5a6b7c8d9e0f';

function buildRecord(): PatientRecordInput {
  return {
    patient: {
      id: '6f9619ff-8b86-4011-b42d-00c04fc964ff',
      firstName: 'Jane',
      lastName: 'Doe',
      dateOfBirth: '1980-04-02',
      sex: 'female',
      contact: { phone: '+1-555-0100', email: 'jane@example.com' },
    },
    doctorIds: [DOCTOR],
    allergies: [
      { id: '11111111-1111-4111-8111-111111111111', allergen: 'Latex', reaction: 'Rash', severity: 'mild' },
      { id: '22222222-2222-4222-8222-222222222222', allergen: 'Penicillin', reaction: 'Anaphylaxis', severity: 'life_threatening' },
    ],
    appointments: [
      {
        id: '33333333-3333-4333-8333-333333333333',
        date: '2026-03-04T10:30:00+01:00',
        type: 'follow_up',
        status: 'completed',
        reason: 'Blood pressure review',
        doctorId: DOCTOR,
        vitals: {
          bloodPressure: '128/82',
          heartRate: 72,
          temperatureC: 36.8,
          respiratoryRate: 14,
          spo2: 98,
          weightKg: 70,
          heightCm: 168,
          bmi: 24.8,
          pain: 0,
        },
      },
    ],
  };
}

function paths(input: unknown): string[] {
  const result = RecordsBatchSchema.safeParse(input);
  expect(result.success).toBe(false);
  return result.success ? [] : recordIssueDetails(result.error).map((d) => d.path ?? '');
}

describe('PatientRecordSchema', () => {
  it('when a valid record omits optional arrays, then they default to empty', () => {
    const record = PatientRecordSchema.parse(buildRecord());
    expect(record.conditions).toEqual([]);
    expect(record.appointments[0]!.symptoms).toEqual([]);
    expect(record.appointments[0]!.prescriptions).toEqual([]);
  });

  it('when ids arrive in upper case, then they are lower-cased so access checks compare equal', () => {
    const input = buildRecord();
    input.doctorIds = [DOCTOR.toUpperCase()];
    expect(PatientRecordSchema.parse(input).doctorIds).toEqual([DOCTOR]);
  });

  it('when an allergy severity is invalid, then the error names the full field path', () => {
    const record = buildRecord();
    (record.allergies![1] as { severity: string }).severity = 'deadly';
    expect(paths({ patients: [buildRecord(), record] })).toEqual(['patients.1.allergies.1.severity']);
  });

  it('when an unknown key is sent, then it is rejected and named by path', () => {
    const record = buildRecord() as Record<string, unknown>;
    (record.patient as Record<string, unknown>).ssn = '000-00-0000';
    record.notes = 'x';
    expect(paths({ patients: [record] }).sort()).toEqual(['patients.0.notes', 'patients.0.patient.ssn']);
  });

  it('when an unknown key is nested in vitals, then it is rejected', () => {
    const record = buildRecord();
    (record.appointments![0]!.vitals as Record<string, unknown>).glucose = 5.4;
    expect(paths({ patients: [record] })).toEqual(['patients.0.appointments.0.vitals.glucose']);
  });

  it('when doctorIds is empty, then the record is rejected', () => {
    const record = buildRecord();
    record.doctorIds = [];
    expect(paths({ patients: [record] })).toEqual(['patients.0.doctorIds']);
  });

  it.each([
    ['patient.dateOfBirth', (r: PatientRecordInput) => void (r.patient.dateOfBirth = '1980-02-30')],
    ['patient.id', (r: PatientRecordInput) => void (r.patient.id = 'not-a-uuid')],
    ['appointments.0.date', (r: PatientRecordInput) => void (r.appointments![0]!.date = '2026-03-04')],
    ['appointments.0.vitals.bloodPressure', (r: PatientRecordInput) => void (r.appointments![0]!.vitals!.bloodPressure = '120-80')],
    ['appointments.0.vitals.pain', (r: PatientRecordInput) => void (r.appointments![0]!.vitals!.pain = 11)],
    ['appointments.0.reason', (r: PatientRecordInput) => void (r.appointments![0]!.reason = 'x'.repeat(2001))],
    ['patient.firstName', (r: PatientRecordInput) => void (r.patient.firstName = '   ')],
    ['patient.lastName', (r: PatientRecordInput) => void (r.patient.lastName = '\u200b\u200c\u2060')],
    ['allergies.0.allergen', (r: PatientRecordInput) => void (r.allergies![0]!.allergen = '\u3164')],
    ['appointments.0.reason', (r: PatientRecordInput) => void (r.appointments![0]!.reason = '\u2800 \u00ad')],
    ['patient.dateOfBirth', (r: PatientRecordInput) => void (r.patient.dateOfBirth = '0000-01-01')],
    ['patient.dateOfBirth', (r: PatientRecordInput) => void (r.patient.dateOfBirth = `${new Date().getUTCFullYear() + 1}-06-01`)],
  ])('when %s is invalid, then the error names it', (path, mutate) => {
    const record = buildRecord();
    mutate(record);
    expect(paths({ patients: [record] })).toEqual([`patients.0.${path}`]);
  });

  it('when a symptom severity is out of 1-10 or not an integer, then it is rejected', () => {
    for (const severity of [0, 11, 2.5]) {
      const record = buildRecord();
      record.appointments![0]!.symptoms = [{ name: 'Headache', severity, duration: '2 days' }];
      expect(paths({ patients: [record] })).toEqual(['patients.0.appointments.0.symptoms.0.severity']);
    }
  });

  it('when two appointments share an id, then the duplicate is named', () => {
    const record = buildRecord();
    record.appointments = [record.appointments![0]!, { ...record.appointments![0]! }];
    expect(paths({ patients: [record] })).toEqual(['patients.0.appointments.1.id']);
  });
});

describe('RecordsBatchSchema', () => {
  it('when the same patient is twice in a batch, then the second is named', () => {
    const record = buildRecord();
    expect(paths({ patients: [record, { ...record, doctorIds: [DOCTOR] }] })).toEqual(['patients.1.patient.id']);
  });

  it('when names are real names in any script, then they pass', () => {
    for (const name of ['Zoë', '李', "O'Brien", 'Nguyễn', 'José María']) {
      const record = buildRecord();
      record.patient.firstName = name;
      expect(PatientRecordSchema.safeParse(record).success, name).toBe(true);
    }
  });

  it('when the batch is empty or over 500 patients, then it is rejected', () => {
    expect(paths({ patients: [] })).toEqual(['patients']);
    expect(paths({ patients: Array.from({ length: 501 }, buildRecord) })).toEqual(['patients']);
  });

  it('when parseRecordsBatch gets bad input, then it throws a ValidationError with field details', () => {
    const record = buildRecord();
    (record.patient as { sex: string }).sex = 'f';
    try {
      parseRecordsBatch({ patients: [record] });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).status).toBe(400);
      expect((error as ValidationError).details?.map((d) => d.path)).toEqual(['patients.0.patient.sex']);
    }
  });
});
