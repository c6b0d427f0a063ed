import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PatientRecord } from '../../src/ingest/records/record.schemas.js';
import { generatePatients, syntheticDoctorIds } from '../../src/ingest/records/synthetic-records.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { readJson, type Json } from '../support/http.js';
import { expectNoPhiInLogs } from '../support/phi.js';
import { databaseBackends, realRedisUrl, uniqueRedisPrefix } from '../support/services.js';

/**
 * Two doctors, each with their own patients. Whatever a doctor sends, through every
 * route, they never get the other doctor's patients; every read of patient data is
 * audited; and no patient name reaches the logs.
 */
describe.each(databaseBackends())('patient data scope on %s', (backend) => {
  let app: TestApp;
  let doctorA: string;
  let doctorB: string;
  let patientOfA: PatientRecord;
  let patientOfB: PatientRecord;
  const redisUrl = realRedisUrl();

  beforeAll(async () => {
    app = await startTestApp(backend, {
      LOG_LEVEL: 'trace',
      ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: uniqueRedisPrefix() } : {}),
    });
    [doctorA, doctorB] = syntheticDoctorIds(99, 2) as [string, string];
    const [first, second] = [...generatePatients({ patients: 2, doctors: 2, seed: 99 })];
    // Each patient belongs to exactly one of the two doctors.
    patientOfA = { ...first!, doctorIds: [doctorA], appointments: first!.appointments.map((a) => ({ ...a, doctorId: doctorA })) };
    patientOfB = { ...second!, doctorIds: [doctorB], appointments: second!.appointments.map((a) => ({ ...a, doctorId: doctorB })) };
    const pushed = await post('/v1/admin/records', { patients: [patientOfA, patientOfB] });
    expect(pushed.status).toBe(200);
  });
  afterAll(() => app.close());

  function post(route: string, body: unknown, doctorId?: string): Promise<Response> {
    return fetch(`${app.baseUrl}${route}`, {
      method: 'POST',
      headers: { ...app.authHeaders(doctorId), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }
  const fullName = (patient: PatientRecord) => `${patient.patient.firstName} ${patient.patient.lastName}`;
  const patientIdsIn = (results: Json[]) => new Set(results.map((hit) => hit.patientId).filter(Boolean));

  it("when a doctor searches for their patient, then they get that patient's records", async () => {
    const response = await post('/v1/search', { query: `${fullName(patientOfA)} allergies`, k: 10 }, doctorA);
    expect(response.status).toBe(200);
    const { results } = await readJson(response);
    expect(patientIdsIn(results)).toEqual(new Set([patientOfA.patient.id]));
  });

  it("when a doctor names another doctor's patient, by name, by filter or both, then nothing of that patient comes back", async () => {
    const attempts = [
      { query: `${fullName(patientOfB)} allergies medications`, k: 50 },
      { query: 'allergies', k: 50, filters: { patientId: patientOfB.patient.id } },
      { query: fullName(patientOfB), k: 50, filters: { patientId: patientOfB.patient.id, sourceKinds: ['record'] } },
      { query: 'visit', k: 50, filters: { sourceKinds: ['record'], modules: ['medical_records', 'prescriptions'] } },
    ];
    for (const attempt of attempts) {
      const response = await post('/v1/search', attempt, doctorA);
      expect(response.status).toBe(200);
      const { results } = await readJson(response);
      expect(patientIdsIn(results).has(patientOfB.patient.id), JSON.stringify(attempt)).toBe(false);
    }
  });

  it('when no doctor is named, then no record chunk is returned at all', async () => {
    const response = await post('/v1/search', { query: `${fullName(patientOfA)} allergies`, k: 50, filters: { sourceKinds: ['record'] } });
    expect(response.status).toBe(200);
    expect((await readJson(response)).results).toEqual([]);
  });

  it("when a doctor chats about another doctor's patient, then the answer uses none of that patient's records", async () => {
    const response = await post('/v1/chat', { message: `What is ${fullName(patientOfB)} allergic to?`, patientId: patientOfB.patient.id }, doctorA);
    expect(response.status).toBe(200);
    const answer = await readJson(response);
    expect(answer.citations.filter((citation: Json) => String(citation.doc).includes(patientOfB.patient.id))).toEqual([]);
    expect(answer.answer).not.toContain(patientOfB.patient.lastName);
  });

  it('when two doctors ask the same question about the same patient id, then no cached answer crosses between them', async () => {
    const message = `What medications does the patient take?`;
    const own = await readJson(await post('/v1/chat', { message, patientId: patientOfA.patient.id }, doctorA));
    expect(own.citations.length).toBeGreaterThan(0);
    const other = await readJson(await post('/v1/chat', { message, patientId: patientOfA.patient.id }, doctorB));
    expect(other.cached).toBe(false);
    expect(other.citations.filter((citation: Json) => String(citation.doc).includes(patientOfA.patient.id))).toEqual([]);
  });

  it("when a doctor reads or continues another doctor's conversation, then it does not exist for them", async () => {
    const started = await readJson(await post('/v1/chat', { message: 'Summarise the last visit', patientId: patientOfA.patient.id }, doctorA));
    const read = await fetch(`${app.baseUrl}/v1/conversations/${started.conversationId}`, { headers: app.authHeaders(doctorB) });
    expect(read.status).toBe(404);
    const continued = await post('/v1/chat', { message: 'and the one before?', conversationId: started.conversationId }, doctorB);
    expect(continued.status).toBe(404);
    const deleted = await fetch(`${app.baseUrl}/v1/conversations/${started.conversationId}`, { method: 'DELETE', headers: app.authHeaders(doctorB) });
    expect(deleted.status).toBe(404);
  });

  it('when patient data is read through search or chat, then the audit trail names the doctor, the patient and the request', async () => {
    const search = await post('/v1/search', { query: `${fullName(patientOfA)} visit`, k: 5 }, doctorA);
    const requestId = search.headers.get('x-request-id');
    const response = await fetch(`${app.baseUrl}/v1/admin/audit?patientId=${patientOfA.patient.id}`, { headers: app.authHeaders() });
    expect(response.status).toBe(200);
    const body = await readJson(response);
    const entries: Json[] = body.entries ?? body;
    const entry = entries.find((candidate) => candidate.requestId === requestId);
    expect(entry).toMatchObject({ doctorId: doctorA, action: 'search', clientName: 'test-all-scopes' });
    expect(entries.some((candidate) => candidate.action === 'chat')).toBe(true);
    expect(entries.every((candidate) => candidate.doctorId !== doctorB || candidate.patientIds.length === 0)).toBe(true);
  });

  it("when a doctor's patient gets a new record, then the answers cached about that patient are not used", async () => {
    const message = 'Which medications is the patient on, and since when?';
    const ask = async () => readJson(await post('/v1/chat', { message, patientId: patientOfA.patient.id }, doctorA));
    expect((await ask()).cached).toBe(false);
    expect((await ask()).cached).toBe('exact');

    const [visit] = patientOfA.appointments;
    const changed = { ...patientOfA, appointments: [{ ...visit!, reason: `${visit!.reason} Follow-up booked.` }, ...patientOfA.appointments.slice(1)] };
    expect((await post('/v1/admin/records', { patients: [changed] })).status).toBe(200);

    expect((await ask()).cached).toBe(false);
  });

  it('when doctors who see records ask the same question without a patient, then each has their own cached answer', async () => {
    const message = 'Which allergies and reactions were recorded at the last visits?';
    const first = await readJson(await post('/v1/chat', { message }, doctorA));
    expect((await readJson(await post('/v1/chat', { message }, doctorA))).cached).toBe(first.answer ? 'exact' : false);

    const other = await readJson(await post('/v1/chat', { message }, doctorB));

    expect(other.cached).toBe(false);
    expect(other.citations.filter((citation: Json) => String(citation.doc).includes(patientOfA.patient.id))).toEqual([]);
  });

  it('when records were pushed, searched and chatted about, then no patient name appears in any log line', () => {
    const names = [patientOfA, patientOfB].flatMap((patient) => [fullName(patient), patient.patient.lastName]);
    expectNoPhiInLogs(app.logs, names);
  });
});
