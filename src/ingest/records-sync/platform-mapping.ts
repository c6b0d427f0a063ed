/**
 * The one place that knows how the platform names its record tables and columns
 * (`medical_records` schema, shapes of ../shared/SPEC.md) and how a row becomes a part of
 * the record model the ingester takes (record.schemas.ts). A platform with other names
 * is an edit here; the SQL of the sync is built from these names.
 */

export const PLATFORM_SCHEMA = 'medical_records';

/** How a column is read: dates and instants as ISO text, numbers as JavaScript numbers. */
export type FieldType = 'text' | 'date' | 'timestamp' | 'integer' | 'number';

export interface PlatformTable {
  /** Table name in PLATFORM_SCHEMA. */
  name: string;
  /** Primary key column (a uuid). */
  id: string;
  /** The column whose value moves when a row is written: updated_at, or created_at where the table has none. */
  changedAt: string;
  /** The row's link toward its patient; none for the patients table itself. */
  parent?: { table: PlatformTableKey; column: string };
  /** Model field -> column. The row handed to `toModel` is keyed by these field names. */
  fields: Record<string, { column: string; type: FieldType }>;
}

export type PlatformTableKey =
  | 'patients'
  | 'allergies'
  | 'conditions'
  | 'appointments'
  | 'medicalRecords'
  | 'symptoms'
  | 'prescriptions'
  | 'vitalSigns'
  | 'shares';

const text = (column: string) => ({ column, type: 'text' as const });
const date = (column: string) => ({ column, type: 'date' as const });
const timestamp = (column: string) => ({ column, type: 'timestamp' as const });
const integer = (column: string) => ({ column, type: 'integer' as const });
const number = (column: string) => ({ column, type: 'number' as const });

/** A table keyed by `id` whose rows hang under a row of `parent` through `column`; `changedAt` is updated_at unless the table has none. */
function childTable(name: string, parent: NonNullable<PlatformTable['parent']>, fields: PlatformTable['fields'], changedAt = 'updated_at'): PlatformTable {
  return { name, id: 'id', changedAt, parent, fields };
}

const underPatient = { table: 'patients', column: 'patient_id' } as const;
const underMedicalRecord = { table: 'medicalRecords', column: 'medical_record_id' } as const;

/**
 * Every table the sync reads. `shares` is the platform's explicit sharing table
 * (patient -> doctor); without one, set it to null and only appointment providers see
 * a patient.
 */
export const PLATFORM_TABLES: Record<Exclude<PlatformTableKey, 'shares'>, PlatformTable> & { shares: PlatformTable | null } = {
  patients: {
    name: 'patients',
    id: 'id',
    changedAt: 'updated_at',
    fields: {
      firstName: text('first_name'),
      lastName: text('last_name'),
      dateOfBirth: date('date_of_birth'),
      sex: text('sex'),
      phone: text('phone'),
      email: text('email'),
      address: text('address'),
      emergencyContactName: text('emergency_contact_name'),
      emergencyContactRelationship: text('emergency_contact_relationship'),
      emergencyContactPhone: text('emergency_contact_phone'),
    },
  },
  allergies: childTable('allergies', underPatient, {
    allergen: text('allergen'),
    reaction: text('reaction'),
    severity: text('severity'),
    notedAt: date('noted_at'),
  }),
  conditions: childTable('chronic_conditions', underPatient, {
    name: text('name'),
    diagnosedAt: date('diagnosis_date'),
    status: text('status'),
  }),
  appointments: childTable('appointments', underPatient, {
    date: timestamp('scheduled_at'),
    type: text('appointment_type'),
    status: text('status'),
    reason: text('reason'),
    // The provider: who may see the patient's chunks comes from here.
    doctorId: text('provider_id'),
  }),
  medicalRecords: childTable('medical_records', { table: 'appointments', column: 'appointment_id' }, {
    chiefComplaint: text('chief_complaint'),
    historyOfPresentIllness: text('history_of_present_illness'),
    examNotes: text('exam_notes'),
    diagnosis: text('diagnosis'),
    treatmentPlan: text('treatment_plan'),
    followUp: text('follow_up'),
  }),
  symptoms: childTable(
    'symptoms',
    underMedicalRecord,
    { name: text('name'), bodySite: text('body_site'), severity: integer('severity'), duration: text('duration') },
    'created_at',
  ),
  prescriptions: childTable('prescriptions', underMedicalRecord, {
    medication: text('medication'),
    strength: text('strength'),
    dosage: text('dosage'),
    frequency: text('frequency'),
    duration: text('duration'),
    quantity: integer('quantity'),
    refills: integer('refills'),
    instructions: text('instructions'),
  }),
  vitalSigns: childTable(
    'vital_signs',
    underMedicalRecord,
    {
      bloodPressure: text('blood_pressure'),
      heartRate: number('heart_rate'),
      temperatureC: number('temperature'),
      respiratoryRate: number('respiratory_rate'),
      spo2: number('spo2'),
      weightKg: number('weight'),
      heightCm: number('height'),
      bmi: number('bmi'),
      pain: integer('pain'),
    },
    'created_at',
  ),
  shares: childTable('patient_shares', underPatient, { doctorId: text('doctor_id') }, 'created_at'),
};

/** A row as read: its id, its parent's id, and the mapped fields (null where the column is). */
export type PlatformRow = { id: string; parentId: string | null } & Record<string, unknown>;

/**
 * Model parts from rows. Only the shapes that differ from "field = column" are written
 * out; the record schemas check every value afterwards.
 */
export const toModel = {
  patient: (row: PlatformRow) =>
    compact({
      id: row.id,
      firstName: row.firstName,
      lastName: row.lastName,
      dateOfBirth: row.dateOfBirth,
      sex: row.sex,
      contact: compact({ phone: row.phone, email: row.email, address: row.address }),
      emergencyContact:
        (row.emergencyContactName ?? null) === null && (row.emergencyContactPhone ?? null) === null
          ? undefined
          : compact({ name: row.emergencyContactName, relationship: row.emergencyContactRelationship, phone: row.emergencyContactPhone }),
    }),
  /** Allergies, conditions, prescriptions: the fields as they are, with the row's id. */
  withId: (row: PlatformRow) => compact({ ...fieldsOf(row), id: row.id }),
  /** Medical records, symptoms, vital signs: the model has no id for them. */
  fieldsOnly: (row: PlatformRow) => compact(fieldsOf(row)),
};

function fieldsOf(row: PlatformRow): Record<string, unknown> {
  const { id: _id, parentId: _parentId, ...fields } = row;
  return fields;
}

/** The object without its null and undefined values: an absent optional field, not a null one. */
function compact<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;
}
