import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createDoctorIdentifier } from '../../src/security/doctor-identity.js';

const SECRET = 'unit-test-secret-unit-test-secret-0123';

const unsigned = createDoctorIdentifier(loadConfig({}).auth);
const signed = createDoctorIdentifier(loadConfig({ AUTH_JWT_SECRET: SECRET }).auth);

const token = (claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1m').sign(new TextEncoder().encode(SECRET));

describe('doctor identity', () => {
  it('when no doctor header is sent, then there is no doctor', async () => {
    expect(await unsigned({})).toBeNull();
    expect(await signed({ 'x-doctor-purpose': 'consultation' })).toBeNull();
  });

  it('when X-Doctor-Id and a purpose are sent without signing configured, then both are taken, the id lower-cased', async () => {
    const id = randomUUID();
    expect(await unsigned({ 'x-doctor-id': id.toUpperCase(), 'x-doctor-purpose': 'follow-up' })).toEqual({ doctorId: id, purpose: 'follow-up' });
  });

  it('when a token is valid, then the doctor is its subject and the purpose its claim, else the header', async () => {
    const id = randomUUID();
    expect(await signed({ 'x-doctor-token': await token({ sub: id, purpose: 'consultation' }) })).toEqual({ doctorId: id, purpose: 'consultation' });
    expect(await signed({ 'x-doctor-token': await token({ sub: id }), 'x-doctor-purpose': 'billing' })).toEqual({ doctorId: id, purpose: 'billing' });
  });

  it('when a token has no expiry, then it is refused (tokens must not live forever)', async () => {
    const noExp = await new SignJWT({ sub: randomUUID() }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(SECRET));
    await expect(signed({ 'x-doctor-token': noExp })).rejects.toMatchObject({ status: 401, code: 'invalid_doctor_token' });
  });

  it.each([
    ['a header sent twice', { 'x-doctor-id': [randomUUID(), randomUUID()] }, 'validation_failed'],
    ['a purpose with control characters', { 'x-doctor-id': randomUUID(), 'x-doctor-purpose': 'a\u0007b' }, 'invalid_doctor_purpose'],
    ['a purpose over 200 characters', { 'x-doctor-id': randomUUID(), 'x-doctor-purpose': 'x'.repeat(201) }, 'invalid_doctor_purpose'],
  ])('when %s, then 400 %s', async (_name, headers, code) => {
    await expect(unsigned(headers)).rejects.toMatchObject({ status: 400, code });
  });
});
