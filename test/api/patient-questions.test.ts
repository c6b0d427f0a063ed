import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PatientRecord } from '../../src/ingest/records/record.schemas.js';
import { generatePatients, syntheticDoctorIds } from '../../src/ingest/records/synthetic-records.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { readJson, type Json } from '../support/http.js';

/**
 * A doctor asks about their own patient the way they talk, and the offline answer comes
 * from the record chunks that hold the answer: allergies, medications, the last visit,
 * vitals. Generated records, the real search and the extractive answerer.
 */
describe('questions about one\u2019s own patient (offline, PGlite)', () => {
  let app: TestApp;
  let doctor: string;
  let patient: PatientRecord;

  beforeAll(async () => {
    app = await startTestApp('pglite', { INDEX_EXAMPLES_ON_START: 'true' });
    [doctor] = syntheticDoctorIds(5, 1) as [string];
    const patients = [...generatePatients({ patients: 6, doctors: 1, seed: 5 })].map((record) => ({
      ...record,
      doctorIds: [doctor],
      appointments: record.appointments.map((appointment) => ({ ...appointment, doctorId: doctor })),
    }));
    // One with allergies, a prescription and vitals, so every question has an answer.
    patient = patients.find(
      (record) => record.allergies.length > 0 && record.appointments.some((a) => a.prescriptions.length > 0 && a.vitals),
    )!;
    expect(patient).toBeDefined();
    const pushed = await fetch(`${app.baseUrl}/v1/admin/records`, {
      method: 'POST',
      headers: { ...app.authHeaders(), 'content-type': 'application/json' },
      body: JSON.stringify({ patients }),
    });
    expect(pushed.status).toBe(200);
  }, 240_000);
  afterAll(() => app.close());

  async function ask(message: string): Promise<{ answer: string; cited: string[] }> {
    const response = await fetch(`${app.baseUrl}/v1/chat`, {
      method: 'POST',
      headers: { ...app.authHeaders(doctor), 'content-type': 'application/json' },
      body: JSON.stringify({ message, patientId: patient.patient.id }),
    });
    expect(response.status).toBe(200);
    const body = await readJson(response);
    return { answer: body.answer as string, cited: (body.citations as Json[]).map((citation) => citation.doc as string) };
  }
  const name = () => `${patient.patient.firstName} ${patient.patient.lastName}`;
  const kindOf = (doc: string) => doc.split('/')[2];
  const latest = () => [...patient.appointments].filter((a) => a.medicalRecord).sort((a, b) => b.date.localeCompare(a.date))[0]!;

  it('when asked for allergies and medications together, then both come from the allergy and medication chunks', async () => {
    const { answer, cited } = await ask(`What allergies does ${name()} have and which medications is she on?`);
    expect(cited.length).toBeGreaterThan(0);
    expect(cited.every((doc) => doc.startsWith(`patient/${patient.patient.id}/`))).toBe(true);
    expect(cited.map(kindOf)).toEqual(expect.arrayContaining([expect.stringMatching(/^(allergies|summary)$/)]));
    expect(answer).toContain(patient.allergies[0]!.allergen);
    const medications = patient.appointments.flatMap((a) => a.prescriptions.map((p) => p.medication));
    expect(medications.some((medication) => answer.includes(medication))).toBe(true);
  });

  it('when asked about the last visit, then the answer gives its diagnosis from the latest visit or the summary', async () => {
    const { answer, cited } = await ask(`What was the diagnosis at ${name()}'s last visit?`);
    const diagnosis = latest().medicalRecord!.diagnosis;
    expect(answer).toContain(diagnosis);
    expect(cited.some((doc) => doc.endsWith(`/appointment/${latest().id}`) || kindOf(doc) === 'summary')).toBe(true);
  });

  it('when asked for vitals, then the answer quotes vital signs from a visit', async () => {
    const { answer, cited } = await ask(`What was ${name()}'s blood pressure and heart rate?`);
    expect(answer).toMatch(/Blood pressure: \d+\/\d+ mmHg/);
    expect(cited.some((doc) => kindOf(doc) === 'appointment')).toBe(true);
  });
});
