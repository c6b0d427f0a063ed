import { z } from 'zod';
import { ValidationError, type ErrorDetail } from '../../errors.js';
import { assertStorableInput } from '../../lib/storable-input.js';

/**
 * Patient records as the main apps push them. Objects are strict (a misspelt field is
 * an error, not silently dropped data) and every string and array is bounded so one
 * request cannot make us embed megabytes of text.
 */

// Lower-cased so access checks compare doctor ids as plain strings without surprises.
const uuid = () => z.uuid().toLowerCase();

// A character a reader sees. Not: spaces, zero-width and other default-ignorable
// characters (U+200B, the Hangul fillers U+3164 and U+115F), controls, unassigned or
// private code points, combining marks alone, the blank Braille pattern U+2800.
const VISIBLE = /[^\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}\p{Cn}\p{Co}\p{Cs}\p{M}\u2800]/u;
// An empty string is min(1)'s to report, once.
const text = (max: number) =>
  z.string().trim().min(1).max(max).refine((value) => value === '' || VISIBLE.test(value), 'must contain a visible character');
const name = () => text(200);
const shortText = () => text(200);
const freeText = () => text(2000);
const isoDate = () => z.iso.date();

/** Nobody alive, nor in a record a clinic keeps, was born before this. */
const EARLIEST_BIRTH_DATE = '1850-01-01';
/** Today as YYYY-MM-DD, a day ahead of UTC: it is already tomorrow in UTC+14. */
const latestBirthDate = (): string => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
const birthDate = () =>
  isoDate().refine(
    (value) => value >= EARLIEST_BIRTH_DATE && value <= latestBirthDate(),
    `must be a date from ${EARLIEST_BIRTH_DATE} up to today`,
  );
const list = <T extends z.ZodType>(item: T, max: number) => z.array(item).max(max).default([]);

export const SexSchema = z.enum(['female', 'male', 'other', 'unknown']);
export const AllergySeveritySchema = z.enum(['mild', 'moderate', 'severe', 'life_threatening']);
export const ConditionStatusSchema = z.enum(['active', 'managed', 'resolved']);
export const AppointmentTypeSchema = z.enum([
  'new_patient',
  'follow_up',
  'routine_checkup',
  'sick_visit',
  'telehealth',
]);
export const AppointmentStatusSchema = z.enum(['scheduled', 'completed', 'cancelled', 'no_show']);

export const ContactSchema = z.strictObject({
  phone: z.string().trim().min(3).max(50).optional(),
  email: z.email().max(254).optional(),
  address: z.string().trim().min(1).max(500).optional(),
});

export const EmergencyContactSchema = z.strictObject({
  name: name(),
  relationship: shortText(),
  phone: z.string().trim().min(3).max(50),
});

export const PatientSchema = z.strictObject({
  id: uuid(),
  firstName: name(),
  lastName: name(),
  dateOfBirth: birthDate(),
  sex: SexSchema,
  contact: ContactSchema,
  emergencyContact: EmergencyContactSchema.optional(),
});

export const AllergySchema = z.strictObject({
  id: uuid(),
  allergen: name(),
  reaction: freeText(),
  severity: AllergySeveritySchema,
  notedAt: isoDate().optional(),
});

export const ConditionSchema = z.strictObject({
  id: uuid(),
  name: name(),
  diagnosedAt: isoDate(),
  status: ConditionStatusSchema,
});

export const MedicalRecordSchema = z.strictObject({
  chiefComplaint: freeText(),
  historyOfPresentIllness: freeText(),
  examNotes: freeText(),
  diagnosis: freeText(),
  treatmentPlan: freeText(),
  followUp: freeText(),
});

export const SymptomSchema = z.strictObject({
  name: name(),
  bodySite: shortText().optional(),
  severity: z.int().min(1).max(10),
  duration: shortText(),
});

export const PrescriptionSchema = z.strictObject({
  id: uuid(),
  medication: name(),
  strength: shortText(),
  dosage: shortText(),
  frequency: shortText(),
  duration: shortText(),
  quantity: z.int().positive().max(10_000),
  refills: z.int().min(0).max(99),
  instructions: freeText(),
});

// Ranges are wide on purpose: they reject typos and unit mix-ups (°F in temperatureC),
// not unusual but real patients.
export const VitalSignsSchema = z.strictObject({
  bloodPressure: z.string().regex(/^\d{2,3}\/\d{2,3}$/, 'expected systolic/diastolic, e.g. 120/80'),
  heartRate: z.number().min(20).max(300),
  temperatureC: z.number().min(25).max(45),
  respiratoryRate: z.number().min(2).max(80),
  spo2: z.number().min(40).max(100),
  weightKg: z.number().min(0.2).max(700),
  heightCm: z.number().min(20).max(280),
  bmi: z.number().min(5).max(150),
  pain: z.int().min(0).max(10),
});

export const AppointmentSchema = z.strictObject({
  id: uuid(),
  date: z.iso.datetime({ offset: true }),
  type: AppointmentTypeSchema,
  status: AppointmentStatusSchema,
  reason: freeText(),
  doctorId: uuid(),
  medicalRecord: MedicalRecordSchema.optional(),
  symptoms: list(SymptomSchema, 50),
  prescriptions: list(PrescriptionSchema, 50),
  vitals: VitalSignsSchema.optional(),
});

export const PatientRecordSchema = z
  .strictObject({
    patient: PatientSchema,
    doctorIds: z.array(uuid()).min(1).max(100),
    allergies: list(AllergySchema, 200),
    conditions: list(ConditionSchema, 200),
    appointments: list(AppointmentSchema, 1000),
  })
  .superRefine((record, ctx) => {
    // Appointment ids become source ids: a duplicate would make two documents overwrite
    // each other in the index.
    const seen = new Set<string>();
    record.appointments.forEach((appointment, index) => {
      if (seen.has(appointment.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['appointments', index, 'id'],
          message: `duplicate appointment id ${appointment.id}`,
        });
      }
      seen.add(appointment.id);
    });
  });

export const RecordsBatchSchema = z.strictObject({
  // A patient twice in one batch: which version wins would depend on write order.
  patients: z
    .array(PatientRecordSchema)
    .min(1)
    .max(500)
    .superRefine((patients, ctx) => {
      const first = new Map<string, number>();
      patients.forEach((record, index) => {
        const seen = first.get(record.patient.id);
        if (seen === undefined) first.set(record.patient.id, index);
        else ctx.addIssue({ code: 'custom', path: [index, 'patient', 'id'], message: `the same patient as patients.${seen}` });
      });
    }),
});

export type Sex = z.infer<typeof SexSchema>;
export type AllergySeverity = z.infer<typeof AllergySeveritySchema>;
export type ConditionStatus = z.infer<typeof ConditionStatusSchema>;
export type AppointmentType = z.infer<typeof AppointmentTypeSchema>;
export type AppointmentStatus = z.infer<typeof AppointmentStatusSchema>;
export type Patient = z.infer<typeof PatientSchema>;
export type Allergy = z.infer<typeof AllergySchema>;
export type Condition = z.infer<typeof ConditionSchema>;
export type MedicalRecord = z.infer<typeof MedicalRecordSchema>;
export type Symptom = z.infer<typeof SymptomSchema>;
export type Prescription = z.infer<typeof PrescriptionSchema>;
export type VitalSigns = z.infer<typeof VitalSignsSchema>;
export type Appointment = z.infer<typeof AppointmentSchema>;
/** A validated record: defaults applied, ids lower-cased. */
export type PatientRecord = z.infer<typeof PatientRecordSchema>;
/** What a client may send: arrays may be omitted. */
export type PatientRecordInput = z.input<typeof PatientRecordSchema>;
export type RecordsBatch = z.infer<typeof RecordsBatchSchema>;

/**
 * Dotted field paths for each issue (`patients.0.allergies.1.severity`). An unknown key
 * is reported at the key itself, not at its parent object, so the caller sees which one.
 */
export function recordIssueDetails(error: z.ZodError): ErrorDetail[] {
  return error.issues.flatMap((issue) => {
    const base = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: [...base, key].join('.'),
        message: `unknown field "${key}"`,
      }));
    }
    return [{ path: base.join('.'), message: issue.message }];
  });
}

/**
 * Validates a pushed batch; throws a ValidationError whose details name every bad field.
 * Text PostgreSQL cannot store is refused first, as on every route.
 */
export function parseRecordsBatch(input: unknown): RecordsBatch {
  assertStorableInput(input);
  return parseOrThrow(RecordsBatchSchema, input, 'Invalid patient records batch');
}

/** Validates one patient (a line of a record file) exactly as one of a pushed batch. */
export function parsePatientRecord(input: unknown): PatientRecord {
  assertStorableInput(input);
  return parseOrThrow(PatientRecordSchema, input, 'Invalid patient record');
}

function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown, message: string): z.output<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new ValidationError(message, { code: 'invalid_records', details: recordIssueDetails(result.error), cause: result.error });
  }
  return result.data;
}
