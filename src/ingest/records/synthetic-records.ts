import type {
  Allergy,
  AllergySeverity,
  Appointment,
  AppointmentStatus,
  AppointmentType,
  Condition,
  PatientRecord,
  Prescription,
  Sex,
  Symptom,
  VitalSigns,
} from './record.schemas.js';
import { Prng } from '../../lib/prng.js';
import vocabulary from './synthetic-vocabulary.json' with { type: 'json' };

/**
 * Synthetic patients for development, tests and benchmarks. Everything comes from small
 * built-in lists and a seeded PRNG: no real people, and the same options always give
 * the same records, byte for byte.
 */
export interface SyntheticRecordOptions {
  patients: number;
  doctors: number;
  seed: number;
  /** Appointments fall in the two years up to this day (YYYY-MM-DD). Fixed, not "now", so output is reproducible. */
  endDate?: string;
  /** Appointments of every patient (issue 20 measures 5 each); by default 1 to 6, drawn per patient. */
  visits?: number;
}

export const DEFAULT_SYNTHETIC_END_DATE = '2026-03-31';

const SHARE_PROBABILITY = 0.2;
const DAY_MS = 86_400_000;


// Distinct stream tags so doctor ids and patient streams never share a PRNG state.
const DOCTOR_STREAM = 0x00d0c702;
const PATIENT_STREAM = 0x9a71e27e;

/** The `count` doctor ids used for `seed`: stable, so tests can ask "as doctor N". */
export function syntheticDoctorIds(seed: number, count: number): string[] {
  const prng = new Prng(seed, DOCTOR_STREAM, 0x85ebca6b, 0xc2b2ae35);
  return Array.from({ length: count }, () => prng.uuid());
}

/**
 * Yields `patients` records one at a time (nothing is held beyond the current patient).
 * Patient i depends only on (seed, i, doctors, endDate): a larger run starts with the
 * same patients as a smaller one.
 */
export function* generatePatients(options: SyntheticRecordOptions): Generator<PatientRecord> {
  const { patients, doctors, seed } = options;
  if (!Number.isInteger(patients) || patients < 0) throw new RangeError('patients must be a non-negative integer');
  if (!Number.isInteger(doctors) || doctors < 1) throw new RangeError('doctors must be a positive integer');
  if (!Number.isInteger(seed)) throw new RangeError('seed must be an integer');
  const { visits } = options;
  if (visits !== undefined && (!Number.isInteger(visits) || visits < 1 || visits > 730)) throw new RangeError('visits must be an integer from 1 to 730');
  const endDate = options.endDate ?? DEFAULT_SYNTHETIC_END_DATE;
  const endMs = Date.parse(`${endDate}T00:00:00Z`);
  // Round-trip check: Date.parse would silently roll 2026-02-30 over to March.
  if (Number.isNaN(endMs) || isoDay(endMs) !== endDate) throw new RangeError('endDate must be a real YYYY-MM-DD day');
  const doctorIds = syntheticDoctorIds(seed, doctors);
  for (let i = 0; i < patients; i++) {
    yield generatePatient(new Prng(seed, PATIENT_STREAM, i, 0x27d4eb2f), doctorIds, endMs, visits);
  }
}

// ---------------------------------------------------------------------------------
// Built-in vocabularies: data, kept in synthetic-vocabulary.json.

interface MedicationSpec {
  medication: string;
  strength: string;
  dosage: string;
  frequency: string;
  duration: string;
  quantity: number;
  instructions: string;
  /** Allergens that rule this drug out; the alternative is used instead. */
  contraindicatedBy?: string[];
  alternative?: MedicationSpec;
}

interface ChronicSpec {
  name: string;
  minAge: number;
  medications: MedicationSpec[];
  followUpNote: string;
  exam: string;
  plan: string;
}

interface AcuteSpec {
  reason: string;
  symptoms: { name: string; bodySite?: string }[];
  hpi: string;
  exam: string;
  diagnosis: string;
  plan: string;
  medications: MedicationSpec[];
  fever: boolean;
}

interface AllergenSpec {
  allergen: string;
  reactions: { reaction: string; severity: AllergySeverity }[];
}

interface Vocabulary {
  femaleNames: string[];
  maleNames: string[];
  neutralNames: string[];
  lastNames: string[];
  streets: string[];
  towns: string[];
  relationships: string[];
  chronicConditions: ChronicSpec[];
  acuteProblems: AcuteSpec[];
  allergens: AllergenSpec[];
  routineReasons: string[];
  followUps: string[];
  durations: string[];
}

// JSON types its strings as string; the severities are checked by PatientRecordSchema in the tests.
const {
  femaleNames: FEMALE_NAMES,
  maleNames: MALE_NAMES,
  neutralNames: NEUTRAL_NAMES,
  lastNames: LAST_NAMES,
  streets: STREETS,
  towns: TOWNS,
  relationships: RELATIONSHIPS,
  chronicConditions: CHRONIC_CONDITIONS,
  acuteProblems: ACUTE_PROBLEMS,
  allergens: ALLERGENS,
  routineReasons: ROUTINE_REASONS,
  followUps: FOLLOW_UPS,
  durations: DURATIONS,
} = vocabulary as Vocabulary;

// ---------------------------------------------------------------------------------
// One patient.

function generatePatient(prng: Prng, doctorIds: string[], endMs: number, visits: number | undefined): PatientRecord {
  const sex: Sex = prng.chance(0.48) ? 'female' : prng.chance(0.94) ? 'male' : prng.pick(['other', 'unknown'] as const);
  const firstName = prng.pick(sex === 'female' ? FEMALE_NAMES : sex === 'male' ? MALE_NAMES : NEUTRAL_NAMES);
  const lastName = prng.pick(LAST_NAMES);
  const ageAtEnd = prng.int(3, 92);
  const birthMs = endMs - ageAtEnd * 365.25 * DAY_MS - prng.int(0, 364) * DAY_MS;
  const dateOfBirth = isoDay(birthMs);
  const patientId = prng.uuid();

  const owner = prng.pick(doctorIds);
  const shared =
    doctorIds.length > 1 && prng.chance(SHARE_PROBABILITY) ? prng.pick(doctorIds.filter((id) => id !== owner)) : undefined;

  const allergies: Allergy[] = prng.sample(ALLERGENS, weightedCount(prng, [0.45, 0.3, 0.15, 0.1])).map((spec) => {
    const r = prng.pick(spec.reactions);
    const allergy: Allergy = { id: prng.uuid(), allergen: spec.allergen, reaction: r.reaction, severity: r.severity };
    if (prng.chance(0.7)) allergy.notedAt = isoDay(randomBetween(prng, birthMs + 365 * DAY_MS, endMs - 730 * DAY_MS));
    return allergy;
  });
  const allergenNames = new Set(allergies.map((a) => a.allergen));

  const eligible = CHRONIC_CONDITIONS.filter((c) => c.minAge <= ageAtEnd);
  const chronicCount = weightedCount(prng, ageAtEnd < 18 ? [0.8, 0.2] : ageAtEnd < 50 ? [0.4, 0.4, 0.15, 0.05] : [0.15, 0.35, 0.3, 0.2]);
  const chronicSpecs = prng.sample(eligible, chronicCount);
  const historyStartMs = endMs - 730 * DAY_MS;
  const conditions: Condition[] = chronicSpecs.map((spec) => ({
    id: prng.uuid(),
    name: spec.name,
    diagnosedAt: isoDay(randomBetween(prng, Math.max(birthMs + spec.minAge * 365.25 * DAY_MS, birthMs), historyStartMs)),
    status: prng.chance(0.6) ? 'managed' : 'active',
  }));

  // Drawn even when fixed, so a patient keeps the id, name and birth date it has without `visits`.
  const drawnCount = prng.int(1, 6);
  const appointmentCount = visits ?? drawnCount;
  // Appointment times: distinct days across the last two years, clinic hours.
  const days = new Set<number>();
  while (days.size < appointmentCount) days.add(prng.int(0, 729));
  const dayOffsets = [...days].sort((a, b) => a - b);
  const appointments: Appointment[] = [];
  const acuteConditions: Condition[] = [];
  dayOffsets.forEach((offset, index) => {
    const minutes = prng.int(16, 33) * 30; // 08:00 .. 16:30
    const dateMs = historyStartMs + offset * DAY_MS + minutes * 60_000;
    const type: AppointmentType =
      index === 0 ? 'new_patient' : prng.pick(['follow_up', 'follow_up', 'routine_checkup', 'sick_visit', 'sick_visit', 'telehealth'] as const);
    const status: AppointmentStatus = prng.chance(0.9) ? 'completed' : prng.pick(['cancelled', 'no_show'] as const);
    const doctorId = shared !== undefined && prng.chance(0.3) ? shared : owner;
    const ageAtVisit = Math.floor((dateMs - birthMs) / (365.25 * DAY_MS));
    const appointment = buildAppointment(prng, {
      type, status, doctorId, dateMs, sex, ageAtVisit, chronicSpecs, allergenNames,
    });
    if (appointment.acute && status === 'completed' && prng.chance(0.5)) {
      acuteConditions.push({ id: prng.uuid(), name: appointment.acute.diagnosis, diagnosedAt: isoDay(dateMs), status: 'resolved' });
    }
    appointments.push(appointment.appointment);
  });

  const contact: PatientRecord['patient']['contact'] = {
    // 555-01xx numbers and example.com addresses are reserved for fiction.
    phone: `+1-555-01${String(prng.int(0, 99)).padStart(2, '0')}`,
    address: `${prng.int(1, 999)} ${prng.pick(STREETS)} Street, ${prng.pick(TOWNS)}`,
  };
  if (prng.chance(0.8)) contact.email = `${firstName}.${lastName}${prng.int(1, 999)}@example.com`.toLowerCase();

  const record: PatientRecord = {
    patient: { id: patientId, firstName, lastName, dateOfBirth, sex, contact },
    doctorIds: shared === undefined ? [owner] : [owner, shared],
    allergies,
    conditions: [...conditions, ...acuteConditions],
    appointments,
  };
  if (prng.chance(0.7)) {
    record.patient.emergencyContact = {
      name: `${prng.pick([...FEMALE_NAMES, ...MALE_NAMES])} ${prng.chance(0.6) ? lastName : prng.pick(LAST_NAMES)}`,
      relationship: ageAtEnd < 18 ? 'parent' : prng.pick(RELATIONSHIPS),
      phone: `+1-555-01${String(prng.int(0, 99)).padStart(2, '0')}`,
    };
  }
  return record;
}

interface VisitContext {
  type: AppointmentType;
  status: AppointmentStatus;
  doctorId: string;
  dateMs: number;
  sex: Sex;
  ageAtVisit: number;
  chronicSpecs: ChronicSpec[];
  allergenNames: Set<string>;
}

function buildAppointment(prng: Prng, v: VisitContext): { appointment: Appointment; acute?: AcuteSpec } {
  const chronicFocus = v.chronicSpecs.length > 0 ? prng.pick(v.chronicSpecs) : undefined;
  const acute =
    v.type === 'sick_visit' || (v.type === 'telehealth' && prng.chance(0.5)) || (v.type === 'new_patient' && !chronicFocus && prng.chance(0.5))
      ? prng.pick(ACUTE_PROBLEMS)
      : undefined;
  // A check-up is preventive care, not a review of one problem.
  const focus = acute || v.type === 'routine_checkup' ? undefined : chronicFocus;
  // A "follow-up" of nothing reads oddly: without a problem to follow, it is a check-up.
  const type: AppointmentType = !acute && !focus && v.type === 'follow_up' ? 'routine_checkup' : v.type;

  const reason = acute
    ? acute.reason
    : !focus
      ? prng.pick(ROUTINE_REASONS)
      : v.type === 'new_patient'
        ? `New patient visit to establish care; history of ${focus.name.toLowerCase()}`
        : `Follow-up of ${focus.name.toLowerCase()}`;

  const appointment: Appointment = {
    id: prng.uuid(),
    date: new Date(v.dateMs).toISOString(),
    type,
    status: v.status,
    reason,
    doctorId: v.doctorId,
    symptoms: [],
    prescriptions: [],
  };
  // A cancelled or missed appointment has no encounter to document.
  if (v.status !== 'completed') return { appointment };

  const who = `${v.ageAtVisit}-year-old ${v.sex === 'female' || v.sex === 'male' ? v.sex : 'patient'}`;
  const history = v.chronicSpecs.length > 0 ? ` Past history: ${v.chronicSpecs.map((c) => c.name.toLowerCase()).join(', ')}.` : '';
  const remote = v.type === 'telehealth' ? 'Video visit; examination limited to observation. ' : '';
  if (acute) {
    appointment.medicalRecord = {
      chiefComplaint: acute.reason,
      historyOfPresentIllness: `${who} presents with ${acute.reason.toLowerCase()}. ${acute.hpi}${history}`,
      examNotes: `${remote}${v.type === 'telehealth' ? 'Appears comfortable, speaking full sentences.' : acute.exam}`,
      diagnosis: acute.diagnosis,
      treatmentPlan: acute.plan,
      followUp: prng.pick(FOLLOW_UPS.slice(2)),
    };
    appointment.symptoms = prng.sample(acute.symptoms, prng.int(0, 3)).map(
      (s): Symptom => ({ ...s, severity: prng.int(2, 8), duration: prng.pick(DURATIONS) }),
    );
    appointment.prescriptions = prng.sample(acute.medications, prng.int(0, 2)).map((m) => prescription(prng, m, v.allergenNames));
  } else if (focus) {
    appointment.medicalRecord = {
      chiefComplaint: reason,
      historyOfPresentIllness: `${who} seen for ${focus.name.toLowerCase()}. ${focus.followUpNote}${history}`,
      examNotes: `${remote}${v.type === 'telehealth' ? 'Alert, in no distress.' : `General: well appearing. ${focus.exam}`}`,
      diagnosis: `${focus.name}, ${prng.pick(['stable', 'improving', 'suboptimally controlled'])}`,
      treatmentPlan: focus.plan,
      followUp: prng.pick(FOLLOW_UPS.slice(0, 3)),
    };
    appointment.prescriptions = prng.sample(focus.medications, prng.int(0, 2)).map((m) => prescription(prng, m, v.allergenNames));
  } else {
    appointment.medicalRecord = {
      chiefComplaint: reason,
      historyOfPresentIllness: `${who} here for preventive care. No acute complaints. Diet and exercise reviewed.${history}`,
      examNotes: `${remote}General: well appearing. HEENT normal. Heart regular, lungs clear. Abdomen soft, non-tender.`,
      diagnosis: 'Routine health examination, no acute findings',
      treatmentPlan: 'Age-appropriate screening and immunisations reviewed and updated. Routine bloods ordered.',
      followUp: FOLLOW_UPS[3]!,
    };
  }
  // Telehealth visits have no measured vitals.
  if (v.type !== 'telehealth') appointment.vitals = vitals(prng, v, acute?.fever === true);
  return { appointment, acute };
}

function prescription(prng: Prng, spec: MedicationSpec, allergens: Set<string>): Prescription {
  const chosen = spec.contraindicatedBy?.some((a) => allergens.has(a)) && spec.alternative ? spec.alternative : spec;
  return {
    id: prng.uuid(),
    medication: chosen.medication,
    strength: chosen.strength,
    dosage: chosen.dosage,
    frequency: chosen.frequency,
    duration: chosen.duration,
    quantity: chosen.quantity,
    refills: chosen.duration === '90 days' ? prng.int(1, 3) : 0,
    instructions: chosen.instructions,
  };
}

function vitals(prng: Prng, v: VisitContext, fever: boolean): VitalSigns {
  const child = v.ageAtVisit < 16;
  const hypertensive = v.chronicSpecs.some((c) => c.name === 'Essential hypertension');
  const heightCm = child
    ? Math.round(85 + v.ageAtVisit * 5.5 + prng.int(-6, 6))
    : v.sex === 'male'
      ? prng.int(163, 192)
      : prng.int(150, 178);
  const bmi = child ? prng.float(14.5, 21, 1) : prng.float(19, 36, 1);
  const weightKg = Math.round(bmi * (heightCm / 100) ** 2 * 10) / 10;
  const systolic = hypertensive ? prng.int(128, 158) : child ? prng.int(92, 112) : prng.int(106, 132);
  const diastolic = hypertensive ? prng.int(80, 96) : child ? prng.int(55, 72) : prng.int(64, 84);
  return {
    bloodPressure: `${systolic}/${diastolic}`,
    heartRate: fever ? prng.int(84, 110) : child ? prng.int(75, 110) : prng.int(58, 88),
    temperatureC: fever ? prng.float(37.8, 39.2, 1) : prng.float(36.3, 37.2, 1),
    respiratoryRate: child ? prng.int(18, 26) : prng.int(12, 18),
    spo2: prng.int(95, 100),
    weightKg,
    heightCm,
    // Recomputed from the rounded weight so the three numbers agree.
    bmi: Math.round((weightKg / (heightCm / 100) ** 2) * 10) / 10,
    pain: fever ? prng.int(2, 6) : prng.int(0, 4),
  };
}

/** Picks an index with the given probabilities (they need not sum to exactly 1). */
function weightedCount(prng: Prng, weights: number[]): number {
  let r = prng.next() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i]!;
    if (r < 0) return i;
  }
  return weights.length - 1;
}

function randomBetween(prng: Prng, fromMs: number, toMs: number): number {
  return toMs <= fromMs ? fromMs : fromMs + Math.floor(prng.next() * (toMs - fromMs));
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
