import { sha256Hex } from '../../lib/sha256.js';
import type { SourceDocument } from '../types.js';
import type {
  Allergy,
  AllergySeverity,
  Appointment,
  AppointmentType,
  Condition,
  PatientRecord,
  Prescription,
  VitalSigns,
} from './record.schemas.js';

export type RecordDocumentKind = 'summary' | 'appointment' | 'allergies' | 'prescriptions' | 'conditions';

export interface RecordDocumentMetadata {
  patientId: string;
  appointmentId?: string;
  kind: RecordDocumentKind;
}

export interface PatientDocumentOptions {
  /**
   * The "today" that ages and current medications are computed against (YYYY-MM-DD or
   * an ISO datetime). Defaults to the latest appointment's date, so the same record
   * always yields the same documents and hashes.
   */
  referenceDate?: string;
}

const RECORDS_MODULE = 'medical_records';
const PRESCRIPTIONS_MODULE = 'prescriptions';
// Medications prescribed this long before the reference date count as current.
const CURRENT_MEDICATION_DAYS = 365;

const APPOINTMENT_LABELS: Record<AppointmentType, string> = {
  new_patient: 'New patient visit',
  follow_up: 'Follow-up visit',
  routine_checkup: 'Routine check-up',
  sick_visit: 'Sick visit',
  telehealth: 'Telehealth visit',
};

const SEVERITY_LABELS: Record<AllergySeverity, string> = {
  mild: 'mild',
  moderate: 'moderate',
  severe: 'severe',
  life_threatening: 'life-threatening',
};
const SEVERITY_RANK: Record<AllergySeverity, number> = { life_threatening: 0, severe: 1, moderate: 2, mild: 3 };

/** `patient/<id>/`: every source of one patient starts with it (to delete stale ones on re-push). */
export function recordSourcePrefix(patientId: string): string {
  return `patient/${patientId}/`;
}

/** Whole years from `dateOfBirth` to `onDate` (both YYYY-MM-DD or ISO datetimes); null if negative. */
export function ageInYears(dateOfBirth: string, onDate: string): number | null {
  const [by, bm, bd] = ymd(dateOfBirth);
  const [y, m, d] = ymd(onDate);
  // Plain calendar arithmetic, no Date: no time zone can shift a birthday.
  const age = y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
  return age >= 0 ? age : null;
}

/**
 * Turns one patient into retrieval documents: a summary, one per appointment, and one
 * each for allergies, prescriptions and conditions. Each is its own source so an edited
 * encounter re-embeds only that encounter (and the summary, when it changes).
 */
export function patientToDocuments(record: PatientRecord, options: PatientDocumentOptions = {}): SourceDocument[] {
  const ctx = buildContext(record, options);
  return [
    summaryDocument(ctx),
    allergiesDocument(ctx),
    conditionsDocument(ctx),
    prescriptionsDocument(ctx),
    ...ctx.appointments.map((appointment) => appointmentDocument(ctx, appointment)),
  ];
}

interface Context {
  record: PatientRecord;
  patientId: string;
  fullName: string;
  /** "Patient Jane Doe (1980-04-02)": starts every title so every chunk names its patient. */
  titlePrefix: string;
  referenceDate: string | null;
  /** Oldest first, ties broken by id so order never depends on input order. */
  appointments: Appointment[];
  allowedDoctorIds: string[];
}

function buildContext(record: PatientRecord, options: PatientDocumentOptions): Context {
  const { patient } = record;
  const appointments = [...record.appointments].sort(
    (a, b) => compare(dateTimeKey(a.date), dateTimeKey(b.date)) || compare(a.id, b.id),
  );
  const latest = appointments.at(-1);
  const referenceDate = options.referenceDate?.slice(0, 10) ?? latest?.date.slice(0, 10) ?? null;
  const fullName = `${inline(patient.firstName)} ${inline(patient.lastName)}`;
  const allowed = new Set([...record.doctorIds, ...record.appointments.map((a) => a.doctorId)]);
  return {
    record,
    patientId: patient.id,
    fullName,
    titlePrefix: `Patient ${fullName} (${patient.dateOfBirth})`,
    referenceDate,
    appointments,
    allowedDoctorIds: [...allowed].sort(),
  };
}

function summaryDocument(ctx: Context): SourceDocument {
  const { record, referenceDate } = ctx;
  const lines: string[] = [identityLine(ctx, { date: referenceDate, suffix: '' })];
  if (referenceDate) lines.push(`Summary as of ${referenceDate}.`);

  const conditions = sortConditions(record.conditions.filter((c) => c.status !== 'resolved'));
  lines.push('', '## Active conditions');
  lines.push(...bulletsOr(conditions.map(conditionLine), 'No active conditions recorded.'));

  lines.push('', '## Allergies');
  lines.push(...bulletsOr(sortAllergies(record.allergies).map(allergyLine), 'No allergies recorded.'));

  lines.push('', '## Current medications');
  const current = currentMedications(ctx);
  if (current.length > 0) {
    lines.push(`Prescribed in the ${CURRENT_MEDICATION_DAYS} days up to ${referenceDate ?? 'the last visit'}, latest per medication:`);
  }
  lines.push(
    ...bulletsOr(
      current.map(({ appointment, prescription }) => `${prescriptionLine(prescription)} (prescribed ${day(appointment.date)})`),
      'No current medications recorded.',
    ),
  );

  lines.push('', '## Last visit');
  const last = lastVisit(ctx);
  if (last) {
    lines.push(`${APPOINTMENT_LABELS[last.type]} on ${day(last.date)}: ${inline(last.reason)}.`);
    if (last.medicalRecord) lines.push(`Diagnosis: ${inline(last.medicalRecord.diagnosis)}.`);
  } else {
    lines.push('No completed visit recorded.');
  }
  const upcoming = ctx.appointments.filter((a) => a.status === 'scheduled' && referenceDate !== null && day(a.date) >= referenceDate);
  if (upcoming.length > 0) {
    lines.push('', '## Upcoming appointments');
    lines.push(...upcoming.map((a) => `- ${APPOINTMENT_LABELS[a.type]} on ${day(a.date)}: ${inline(a.reason)}`));
  }
  return makeDocument(ctx, 'summary', 'Summary', RECORDS_MODULE, lines);
}

function appointmentDocument(ctx: Context, appointment: Appointment): SourceDocument {
  const label = APPOINTMENT_LABELS[appointment.type];
  const lines: string[] = [
    identityLine(ctx, { date: day(appointment.date), suffix: ' at this visit' }),
    `${label} on ${day(appointment.date)} at ${time(appointment.date)}, ${appointment.status.replace('_', '-')}. Provider: doctor ${appointment.doctorId}.`,
    `Reason: ${inline(appointment.reason)}`,
  ];
  const mr = appointment.medicalRecord;
  if (mr) {
    lines.push(
      '',
      '## Medical record',
      `**Chief complaint:** ${block(mr.chiefComplaint)}`,
      '',
      `**History of present illness:** ${block(mr.historyOfPresentIllness)}`,
      '',
      `**Exam notes:** ${block(mr.examNotes)}`,
      '',
      `**Diagnosis:** ${block(mr.diagnosis)}`,
      '',
      `**Treatment plan:** ${block(mr.treatmentPlan)}`,
      '',
      `**Follow-up:** ${block(mr.followUp)}`,
    );
  }
  if (appointment.symptoms.length > 0) {
    lines.push('', '## Symptoms');
    for (const s of appointment.symptoms) {
      const site = s.bodySite ? ` (${inline(s.bodySite)})` : '';
      lines.push(`- ${inline(s.name)}${site}: severity ${s.severity}/10, for ${inline(s.duration)}`);
    }
  }
  if (appointment.vitals) {
    lines.push('', '## Vital signs', ...vitalLines(appointment.vitals));
  }
  if (appointment.prescriptions.length > 0) {
    lines.push('', '## Prescriptions', ...appointment.prescriptions.map((p) => `- ${prescriptionLine(p)}`));
  }
  return makeDocument(
    ctx,
    'appointment',
    `${label} ${day(appointment.date)}`,
    RECORDS_MODULE,
    lines,
    appointment.id,
  );
}

function allergiesDocument(ctx: Context): SourceDocument {
  const allergies = sortAllergies(ctx.record.allergies);
  const lines = [identityLine(ctx), '', '## Allergies'];
  lines.push(...bulletsOr(allergies.map(allergyLine), 'No allergies recorded.'));
  return makeDocument(ctx, 'allergies', 'Allergies', RECORDS_MODULE, lines);
}

function conditionsDocument(ctx: Context): SourceDocument {
  const lines = [identityLine(ctx)];
  const sorted = sortConditions(ctx.record.conditions);
  if (sorted.length === 0) lines.push('', 'No conditions recorded.');
  for (const status of ['active', 'managed', 'resolved'] as const) {
    const group = sorted.filter((c) => c.status === status);
    if (group.length === 0) continue;
    lines.push('', `## ${status[0]!.toUpperCase()}${status.slice(1)} conditions`);
    lines.push(...group.map((c) => `- ${inline(c.name)}, diagnosed ${c.diagnosedAt}`));
  }
  return makeDocument(ctx, 'conditions', 'Conditions', RECORDS_MODULE, lines);
}

function prescriptionsDocument(ctx: Context): SourceDocument {
  const lines = [identityLine(ctx)];
  // Newest first: the question is usually "what is this patient taking".
  const withRx = ctx.appointments.filter((a) => a.prescriptions.length > 0).reverse();
  if (withRx.length === 0) lines.push('', 'No prescriptions recorded.');
  for (const appointment of withRx) {
    lines.push('', `## Prescribed ${day(appointment.date)} (${APPOINTMENT_LABELS[appointment.type]})`);
    lines.push(...appointment.prescriptions.map((p) => `- ${prescriptionLine(p)}`));
  }
  return makeDocument(ctx, 'prescriptions', 'Prescriptions', PRESCRIPTIONS_MODULE, lines);
}

function makeDocument(
  ctx: Context,
  kind: RecordDocumentKind,
  titleSuffix: string,
  module: string,
  lines: string[],
  appointmentId?: string,
): SourceDocument {
  const part = appointmentId === undefined ? kind : `appointment/${appointmentId}`;
  const sourceId = `${recordSourcePrefix(ctx.patientId)}${part}`;
  const title = `${ctx.titlePrefix} — ${titleSuffix}`;
  const metadata: RecordDocumentMetadata =
    appointmentId === undefined ? { patientId: ctx.patientId, kind } : { patientId: ctx.patientId, appointmentId, kind };
  const body = `${lines.join('\n')}\n`;
  const url = null;
  return {
    sourceKind: 'record',
    sourceId,
    uri: `records://${sourceId}`,
    module,
    title,
    url,
    body,
    // Access is part of the hash: an indexer that skips unchanged sources must not skip
    // a patient newly shared with (or unshared from) a doctor.
    contentHash: sha256Hex(
      canonicalJson({ title, module, url, body, metadata, patientId: ctx.patientId, allowedDoctorIds: ctx.allowedDoctorIds }),
    ),
    metadata: { ...metadata },
    patientId: ctx.patientId,
    allowedDoctorIds: [...ctx.allowedDoctorIds],
  };
}

/** Who the document is about; age only where it is stable (the summary, a visit). */
function identityLine(ctx: Context, ageOn?: { date: string | null; suffix: string }): string {
  const { patient } = ctx.record;
  const sex = patient.sex === 'unknown' ? 'sex unknown' : patient.sex;
  const age = ageOn?.date ? ageInYears(patient.dateOfBirth, ageOn.date) : null;
  const ageText = age === null || !ageOn ? '' : `, aged ${age}${ageOn.suffix}`;
  return `Patient: ${ctx.fullName} (${sex}), born ${patient.dateOfBirth}${ageText}.`;
}

function currentMedications(ctx: Context): { appointment: Appointment; prescription: Prescription }[] {
  const ref = ctx.referenceDate;
  if (ref === null) return [];
  const since = addDays(ref, -CURRENT_MEDICATION_DAYS);
  const latest = new Map<string, { appointment: Appointment; prescription: Prescription }>();
  for (const appointment of ctx.appointments) {
    const date = day(appointment.date);
    if (appointment.status !== 'completed' || date < since || date > ref) continue;
    // Appointments are oldest first, so a later prescription of the same drug wins.
    for (const prescription of appointment.prescriptions) {
      latest.set(prescription.medication.toLowerCase(), { appointment, prescription });
    }
  }
  return [...latest.values()].sort((a, b) => compare(a.prescription.medication, b.prescription.medication));
}

function lastVisit(ctx: Context): Appointment | undefined {
  const ref = ctx.referenceDate;
  return ctx.appointments.filter((a) => a.status === 'completed' && (ref === null || day(a.date) <= ref)).at(-1);
}

function conditionLine(c: Condition): string {
  return `${inline(c.name)} (${c.status}, diagnosed ${c.diagnosedAt})`;
}

function allergyLine(a: Allergy): string {
  const noted = a.notedAt ? ` (noted ${a.notedAt})` : '';
  return `${inline(a.allergen)}: ${SEVERITY_LABELS[a.severity]}, ${inline(a.reaction)}${noted}`;
}

function prescriptionLine(p: Prescription): string {
  const refills = p.refills === 1 ? '1 refill' : `${p.refills} refills`;
  return (
    `${inline(p.medication)} ${inline(p.strength)}: ${inline(p.dosage)} ${inline(p.frequency)} for ${inline(p.duration)}; ` +
    `quantity ${p.quantity}, ${refills}. ${inline(p.instructions)}`
  );
}

function vitalLines(v: VitalSigns): string[] {
  return [
    `- Blood pressure: ${v.bloodPressure} mmHg`,
    `- Heart rate: ${v.heartRate} bpm`,
    `- Temperature: ${v.temperatureC} °C`,
    `- Respiratory rate: ${v.respiratoryRate} breaths/min`,
    `- SpO2: ${v.spo2}%`,
    `- Weight: ${v.weightKg} kg`,
    `- Height: ${v.heightCm} cm`,
    `- BMI: ${v.bmi}`,
    `- Pain: ${v.pain}/10`,
  ];
}

function sortAllergies(allergies: Allergy[]): Allergy[] {
  return [...allergies].sort(
    (a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || compare(a.allergen, b.allergen) || compare(a.id, b.id),
  );
}

function sortConditions(conditions: Condition[]): Condition[] {
  return [...conditions].sort((a, b) => compare(a.diagnosedAt, b.diagnosedAt) || compare(a.name, b.name) || compare(a.id, b.id));
}

function bulletsOr(items: string[], empty: string): string[] {
  return items.length > 0 ? items.map((item) => `- ${item}`) : [empty];
}

/** One-line text: newlines would break list items and could forge headings. */
function inline(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Multi-line free text kept as paragraphs, but a line that would read as a Markdown
 * heading is escaped: patient notes must not create sections the chunker splits on.
 */
function block(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/^(\s*)(#{1,6}\s|[-=]+\s*$)/, '$1\\$2'))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function ymd(date: string): [number, number, number] {
  const [y = 0, m = 0, d = 0] = date.slice(0, 10).split('-').map(Number);
  return [y, m, d];
}

function day(isoDateTime: string): string {
  return isoDateTime.slice(0, 10);
}

function time(isoDateTime: string): string {
  const t = isoDateTime.slice(11, 16);
  const zone = /(Z|[+-]\d{2}:?\d{2})$/.exec(isoDateTime)?.[1];
  return zone === undefined ? t : `${t} ${zone === 'Z' ? 'UTC' : zone}`;
}

/** Sort key for a datetime with an offset: the instant, so +02:00 and Z compare correctly. */
function dateTimeKey(isoDateTime: string): string {
  const ms = Date.parse(isoDateTime);
  return Number.isNaN(ms) ? isoDateTime : new Date(ms).toISOString();
}

function addDays(date: string, days: number): string {
  const [y, m, d] = ymd(date);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** JSON with object keys sorted at every level, so equal values hash equally. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => compare(a, b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
