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
  const endDate = options.endDate ?? DEFAULT_SYNTHETIC_END_DATE;
  const endMs = Date.parse(`${endDate}T00:00:00Z`);
  // Round-trip check: Date.parse would silently roll 2026-02-30 over to March.
  if (Number.isNaN(endMs) || isoDay(endMs) !== endDate) throw new RangeError('endDate must be a real YYYY-MM-DD day');
  const doctorIds = syntheticDoctorIds(seed, doctors);
  for (let i = 0; i < patients; i++) {
    yield generatePatient(new Prng(seed, PATIENT_STREAM, i, 0x27d4eb2f), doctorIds, endMs);
  }
}

// ---------------------------------------------------------------------------------
// Built-in vocabularies.

const FEMALE_NAMES = ['Alma', 'Beatriz', 'Clara', 'Dalia', 'Elena', 'Fiona', 'Greta', 'Hana', 'Ines', 'Jana', 'Keira', 'Lena', 'Mira', 'Nora', 'Olivia', 'Priya', 'Rosa', 'Sofia', 'Tessa', 'Yara'];
const MALE_NAMES = ['Aaron', 'Bruno', 'Carlos', 'Dmitri', 'Elias', 'Felix', 'Gabriel', 'Hugo', 'Ivan', 'Jonas', 'Kenji', 'Luca', 'Marco', 'Nikolai', 'Omar', 'Pablo', 'Rafael', 'Samuel', 'Tomas', 'Victor'];
const NEUTRAL_NAMES = ['Alex', 'Charlie', 'Jordan', 'Morgan', 'Robin', 'Sam', 'Taylor', 'Quinn'];
const LAST_NAMES = ['Abernathy', 'Brightwater', 'Castellano', 'Delacroix', 'Eriksen', 'Fairbanks', 'Galloway', 'Halvorsen', 'Ibarra', 'Jovanovic', 'Kowalczyk', 'Lindqvist', 'Marchetti', 'Nakamura', 'Okonkwo', 'Petrova', 'Quintero', 'Rosenthal', 'Silvestri', 'Thornbury', 'Underhill', 'Valdivia', 'Whitcombe', 'Yilmaz', 'Zeller'];
const STREETS = ['Maple', 'Cedar', 'Willow', 'Harbor', 'Orchard', 'Juniper', 'Lakeview', 'Quarry', 'Summit', 'Birch'];
const TOWNS = ['Springfield', 'Riverton', 'Fairview', 'Lakeside', 'Greenfield', 'Millbrook'];
const RELATIONSHIPS = ['spouse', 'partner', 'parent', 'sibling', 'adult child', 'friend'];

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

const chronic = (
  name: string,
  minAge: number,
  medications: MedicationSpec[],
  followUpNote: string,
  exam: string,
  plan: string,
): ChronicSpec => ({ name, minAge, medications, followUpNote, exam, plan });

const med = (
  medication: string,
  strength: string,
  dosage: string,
  frequency: string,
  duration: string,
  quantity: number,
  instructions: string,
  extra: Pick<MedicationSpec, 'contraindicatedBy' | 'alternative'> = {},
): MedicationSpec => ({ medication, strength, dosage, frequency, duration, quantity, instructions, ...extra });

const CHRONIC_CONDITIONS: ChronicSpec[] = [
  chronic('Essential hypertension', 30, [
    med('Lisinopril', '10 mg', '1 tablet', 'once daily', '90 days', 90, 'Take in the morning. Report persistent dry cough or facial swelling.'),
    med('Amlodipine', '5 mg', '1 tablet', 'once daily', '90 days', 90, 'May cause ankle swelling; report if bothersome.'),
  ], 'Home blood pressure readings mostly 125-140/80-88. Denies chest pain, headaches or visual changes. Adherent to medication.',
  'Heart regular rate and rhythm, no murmurs. No peripheral edema.', 'Continue antihypertensive therapy, low-sodium diet, 150 minutes of moderate exercise weekly. Basic metabolic panel ordered.'),
  chronic('Type 2 diabetes mellitus', 30, [
    med('Metformin', '500 mg', '1 tablet', 'twice daily with meals', '90 days', 180, 'Take with food to reduce stomach upset.'),
    med('Empagliflozin', '10 mg', '1 tablet', 'once daily', '90 days', 90, 'Stay well hydrated; report genital itching or burning.'),
  ], 'Fasting glucose logs 110-150 mg/dL. Last HbA1c 7.2%. No hypoglycemic episodes. Reports occasional tingling in the feet.',
  'Monofilament sensation intact bilaterally, pedal pulses palpable. No foot ulcers.', 'Continue metformin, dietary counselling, repeat HbA1c in 3 months, annual retinal exam referral.'),
  chronic('Asthma', 4, [
    med('Albuterol HFA', '90 mcg/actuation', '2 puffs', 'every 4-6 hours as needed', '30 days', 1, 'Use for wheeze or shortness of breath; seek care if needed more than every 4 hours.'),
    med('Fluticasone HFA', '110 mcg/actuation', '2 puffs', 'twice daily', '30 days', 1, 'Rinse mouth after each use.'),
  ], 'Uses rescue inhaler about twice a week, more with exercise and in cold weather. Night-time symptoms once a month.',
  'Mild expiratory wheeze on forced expiration, good air entry bilaterally. Peak flow 85% of predicted.', 'Step up controller therapy, review inhaler technique, written asthma action plan provided.'),
  chronic('Hyperlipidemia', 30, [
    med('Atorvastatin', '20 mg', '1 tablet', 'once daily at bedtime', '90 days', 90, 'Report unexplained muscle pain or weakness.'),
  ], 'Tolerating statin without muscle aches. Last LDL 128 mg/dL.', 'No xanthomas. Cardiovascular exam unremarkable.', 'Continue statin, repeat lipid panel in 6 weeks, Mediterranean-style diet encouraged.'),
  chronic('Hypothyroidism', 18, [
    med('Levothyroxine', '50 mcg', '1 tablet', 'once daily', '90 days', 90, 'Take on an empty stomach 30 minutes before breakfast.'),
  ], 'Energy improved since starting levothyroxine. Denies palpitations or heat intolerance.', 'Thyroid not enlarged, no nodules palpated. Reflexes normal.', 'Continue levothyroxine, TSH in 6-8 weeks.'),
  chronic('Major depressive disorder', 16, [
    med('Sertraline', '50 mg', '1 tablet', 'once daily', '30 days', 30, 'May take 4-6 weeks for full effect; do not stop abruptly.'),
  ], 'Mood improving, sleeping better. PHQ-9 score 9, down from 16. Denies suicidal ideation.', 'Appropriately dressed, good eye contact, affect mildly constricted, thought process linear.', 'Continue sertraline, continue weekly counselling, safety plan reviewed.'),
  chronic('Gastroesophageal reflux disease', 18, [
    med('Omeprazole', '20 mg', '1 capsule', 'once daily before breakfast', '60 days', 60, 'Take 30 minutes before the first meal of the day.'),
  ], 'Heartburn after large meals and when lying down, improved on PPI. No dysphagia or weight loss.', 'Abdomen soft, mild epigastric tenderness, no masses.', 'Continue PPI for 8 weeks then trial taper, avoid late meals, elevate head of bed.'),
  chronic('Osteoarthritis of the knee', 45, [
    med('Acetaminophen', '500 mg', '2 tablets', 'every 8 hours as needed', '30 days', 90, 'Do not exceed 3 g per day.'),
  ], 'Knee pain worse on stairs and after prolonged walking, morning stiffness under 30 minutes.', 'Crepitus of both knees, no effusion, full range of motion with discomfort at end flexion.', 'Weight management, physiotherapy referral for quadriceps strengthening, analgesia as needed.'),
  chronic('Migraine without aura', 12, [
    med('Sumatriptan', '50 mg', '1 tablet', 'at onset of migraine, may repeat once after 2 hours', '30 days', 9, 'No more than 2 doses in 24 hours.'),
  ], 'Three to four migraines a month, triggered by poor sleep. Headache diary reviewed.', 'Neurological exam normal, fundi normal.', 'Abortive therapy as needed, sleep hygiene, consider prophylaxis if more than four a month.'),
  chronic('Atrial fibrillation', 55, [
    med('Apixaban', '5 mg', '1 tablet', 'twice daily', '90 days', 180, 'Do not miss doses. Report unusual bleeding or dark stools.'),
  ], 'Occasional palpitations, no syncope. Adherent to anticoagulation, no bleeding.', 'Irregularly irregular rhythm, rate 78. Lungs clear.', 'Continue anticoagulation, rate control adequate, echocardiogram ordered.'),
];

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

const AZITHROMYCIN = med('Azithromycin', '250 mg', '2 tablets on day 1, then 1 tablet', 'once daily', '5 days', 6, 'Complete the full course.');
const DOXYCYCLINE = med('Doxycycline', '100 mg', '1 capsule', 'twice daily', '7 days', 14, 'Take with a full glass of water; avoid lying down for 30 minutes.');
const ACETAMINOPHEN_SHORT = med('Acetaminophen', '500 mg', '1-2 tablets', 'every 6 hours as needed', '5 days', 20, 'Do not exceed 3 g per day.');

const ACUTE_PROBLEMS: AcuteSpec[] = [
  {
    reason: 'Sinus pressure and congestion', fever: true,
    symptoms: [{ name: 'Facial pain', bodySite: 'maxillary sinuses' }, { name: 'Nasal congestion' }, { name: 'Headache', bodySite: 'frontal' }],
    hpi: 'Ten days of nasal congestion and facial pressure, worsening after initial improvement, with thick discoloured discharge.',
    exam: 'Maxillary sinus tenderness, purulent nasal discharge, oropharynx clear, lungs clear.',
    diagnosis: 'Acute bacterial sinusitis', plan: 'Antibiotic course, saline nasal irrigation, analgesia as needed.',
    medications: [med('Amoxicillin-clavulanate', '875/125 mg', '1 tablet', 'twice daily', '7 days', 14, 'Take with food; complete the full course.', { contraindicatedBy: ['Penicillin', 'Amoxicillin'], alternative: DOXYCYCLINE })],
  },
  {
    reason: 'Sore throat and fever', fever: true,
    symptoms: [{ name: 'Sore throat', bodySite: 'throat' }, { name: 'Fever' }, { name: 'Painful swallowing', bodySite: 'throat' }],
    hpi: 'Two days of sore throat and fever without cough. Sibling recently treated for strep throat.',
    exam: 'Tonsillar exudate, tender anterior cervical lymph nodes. Rapid strep test positive.',
    diagnosis: 'Streptococcal pharyngitis', plan: 'Antibiotic course, fluids, return if unable to swallow liquids.',
    medications: [med('Amoxicillin', '500 mg', '1 capsule', 'twice daily', '10 days', 20, 'Complete the full course even if feeling better.', { contraindicatedBy: ['Penicillin', 'Amoxicillin'], alternative: AZITHROMYCIN })],
  },
  {
    reason: 'Burning on urination', fever: false,
    symptoms: [{ name: 'Dysuria' }, { name: 'Urinary frequency' }, { name: 'Suprapubic pain', bodySite: 'lower abdomen' }],
    hpi: 'Three days of burning on urination and frequency. No flank pain, no vaginal discharge.',
    exam: 'Mild suprapubic tenderness, no costovertebral angle tenderness. Urine dipstick positive for leukocytes and nitrites.',
    diagnosis: 'Uncomplicated urinary tract infection', plan: 'Antibiotic course, increase fluid intake, urine culture sent.',
    medications: [med('Nitrofurantoin monohydrate/macrocrystals', '100 mg', '1 capsule', 'twice daily with food', '5 days', 10, 'May darken urine; complete the full course.')],
  },
  {
    reason: 'Cough for a week', fever: false,
    symptoms: [{ name: 'Cough', bodySite: 'chest' }, { name: 'Fatigue' }],
    hpi: 'Seven days of productive cough after a cold. No shortness of breath, no chest pain.',
    exam: 'Scattered rhonchi clearing with cough, no crackles, SpO2 normal.',
    diagnosis: 'Acute bronchitis', plan: 'Supportive care; antibiotics not indicated. Return if fever or breathlessness develops.',
    medications: [med('Benzonatate', '100 mg', '1 capsule', 'three times daily as needed', '7 days', 21, 'Swallow whole; do not chew.')],
  },
  {
    reason: 'Low back pain after lifting', fever: false,
    symptoms: [{ name: 'Back pain', bodySite: 'lower back' }, { name: 'Muscle spasm', bodySite: 'lumbar paraspinal muscles' }],
    hpi: 'Low back pain since lifting boxes four days ago. No leg weakness, numbness, or bladder changes.',
    exam: 'Paraspinal tenderness, straight-leg raise negative bilaterally, strength and reflexes normal.',
    diagnosis: 'Acute lumbar strain', plan: 'Stay active, heat, short course of anti-inflammatory, physiotherapy if not improving in 2 weeks.',
    medications: [med('Ibuprofen', '400 mg', '1 tablet', 'three times daily with food', '7 days', 21, 'Take with food; stop if stomach pain occurs.', { contraindicatedBy: ['Ibuprofen', 'Aspirin'], alternative: ACETAMINOPHEN_SHORT })],
  },
  {
    reason: 'Itchy rash on forearms', fever: false,
    symptoms: [{ name: 'Itchy rash', bodySite: 'forearms' }, { name: 'Skin redness', bodySite: 'forearms' }],
    hpi: 'Itchy red rash on both forearms two days after gardening. No new medications.',
    exam: 'Linear erythematous papules and vesicles on both forearms, no signs of infection.',
    diagnosis: 'Allergic contact dermatitis', plan: 'Topical steroid, avoid the trigger, cool compresses.',
    medications: [med('Triamcinolone acetonide cream', '0.1%', 'thin layer', 'twice daily', '14 days', 1, 'Apply to affected skin only; not on the face.')],
  },
  {
    reason: 'Vomiting and diarrhoea', fever: true,
    symptoms: [{ name: 'Nausea' }, { name: 'Diarrhoea' }, { name: 'Abdominal cramps', bodySite: 'abdomen' }],
    hpi: 'One day of vomiting and watery diarrhoea after a family gathering. Tolerating small sips of fluid.',
    exam: 'Mildly dry mucous membranes, abdomen soft with diffuse mild tenderness, no guarding.',
    diagnosis: 'Acute viral gastroenteritis', plan: 'Oral rehydration, antiemetic as needed, return if unable to keep fluids down.',
    medications: [med('Ondansetron ODT', '4 mg', '1 tablet dissolved on the tongue', 'every 8 hours as needed', '3 days', 6, 'For nausea; may cause constipation.')],
  },
  {
    reason: 'Ear pain', fever: true,
    symptoms: [{ name: 'Ear pain', bodySite: 'right ear' }, { name: 'Muffled hearing', bodySite: 'right ear' }],
    hpi: 'Two days of right ear pain following a cold.',
    exam: 'Right tympanic membrane bulging and erythematous, left normal.',
    diagnosis: 'Acute otitis media, right ear', plan: 'Antibiotic course and analgesia; recheck if not better in 72 hours.',
    medications: [med('Amoxicillin', '500 mg', '1 capsule', 'three times daily', '7 days', 21, 'Complete the full course.', { contraindicatedBy: ['Penicillin', 'Amoxicillin'], alternative: AZITHROMYCIN })],
  },
];

interface AllergenSpec {
  allergen: string;
  reactions: { reaction: string; severity: AllergySeverity }[];
}

const ALLERGENS: AllergenSpec[] = [
  { allergen: 'Penicillin', reactions: [{ reaction: 'Hives and itching', severity: 'moderate' }, { reaction: 'Anaphylaxis', severity: 'life_threatening' }] },
  { allergen: 'Amoxicillin', reactions: [{ reaction: 'Maculopapular rash', severity: 'mild' }] },
  { allergen: 'Sulfonamide antibiotics', reactions: [{ reaction: 'Widespread rash', severity: 'moderate' }, { reaction: 'Stevens-Johnson syndrome', severity: 'life_threatening' }] },
  { allergen: 'Peanuts', reactions: [{ reaction: 'Throat swelling and wheeze', severity: 'severe' }, { reaction: 'Anaphylaxis', severity: 'life_threatening' }] },
  { allergen: 'Tree nuts', reactions: [{ reaction: 'Lip swelling and hives', severity: 'moderate' }] },
  { allergen: 'Shellfish', reactions: [{ reaction: 'Hives and vomiting', severity: 'moderate' }, { reaction: 'Anaphylaxis', severity: 'life_threatening' }] },
  { allergen: 'Latex', reactions: [{ reaction: 'Contact dermatitis', severity: 'mild' }, { reaction: 'Hives and wheeze', severity: 'severe' }] },
  { allergen: 'Bee venom', reactions: [{ reaction: 'Large local swelling', severity: 'moderate' }, { reaction: 'Anaphylaxis', severity: 'life_threatening' }] },
  { allergen: 'Codeine', reactions: [{ reaction: 'Nausea and vomiting', severity: 'mild' }] },
  { allergen: 'Ibuprofen', reactions: [{ reaction: 'Bronchospasm', severity: 'severe' }, { reaction: 'Hives', severity: 'moderate' }] },
  { allergen: 'Aspirin', reactions: [{ reaction: 'Bronchospasm', severity: 'severe' }] },
  { allergen: 'Eggs', reactions: [{ reaction: 'Hives', severity: 'mild' }] },
  { allergen: 'Iodinated contrast', reactions: [{ reaction: 'Flushing and hives', severity: 'moderate' }] },
  { allergen: 'Grass pollen', reactions: [{ reaction: 'Seasonal rhinitis and itchy eyes', severity: 'mild' }] },
];

const ROUTINE_REASONS = ['Annual physical examination', 'Routine health maintenance visit', 'Preventive check-up and screening review'];
const FOLLOW_UPS = ['Return in 3 months.', 'Return in 6 months or sooner if symptoms worsen.', 'Follow up in 4 weeks to review results.', 'Return in 1 year for routine check-up.', 'Return in 2 weeks if not improving.'];
const DURATIONS = ['1 day', '2 days', '3 days', '5 days', '1 week', '2 weeks', '1 month'];

// ---------------------------------------------------------------------------------
// One patient.

function generatePatient(prng: Prng, doctorIds: string[], endMs: number): PatientRecord {
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

  const appointmentCount = prng.int(1, 6);
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
