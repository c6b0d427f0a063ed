import type { Request } from 'express';
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import type { DoctorContext } from '../security/doctor-identity.js';

const DOCTOR_TOKEN = z
  .string()
  .optional()
  .describe('The doctor, signed: a JWT whose `sub` is the doctor id (HS256 with AUTH_JWT_SECRET, or a key of AUTH_JWKS_URL). Required instead of X-Doctor-Id when a signing key is configured.');
const DOCTOR_PURPOSE = z.string().min(1).max(200).optional().describe('Why the doctor asks, kept in the audit trail (a token\'s `purpose` claim wins).');

/**
 * The doctor headers of a route that always acts for a doctor, as the API documents
 * them: X-Doctor-Id or X-Doctor-Token is required (400 `doctor_id_required` without).
 */
export const DoctorHeadersSchema = z.object({
  'x-doctor-id': z.uuid().optional().describe('The doctor on whose behalf the call is made; this or X-Doctor-Token is required.'),
  'x-doctor-token': DOCTOR_TOKEN,
  'x-doctor-purpose': DOCTOR_PURPOSE,
});

/** The doctor headers of a route a caller may also use without a doctor. */
export const OptionalDoctorHeadersSchema = z.object({
  'x-doctor-id': z.uuid().optional().describe('The asking doctor; without one (nor a token), only documentation is visible.'),
  'x-doctor-token': DOCTOR_TOKEN,
  'x-doctor-purpose': DOCTOR_PURPOSE,
});

/**
 * Who is asking. The access guard reads the doctor headers (`X-Doctor-Token`, or
 * `X-Doctor-Id` + `X-Doctor-Purpose` when no signing key is configured; see
 * src/security/doctor-identity.ts), verifies them and leaves the result on the request.
 * Null when no doctor is named: such a caller sees documentation only.
 */
export function resolveOptionalDoctor(req: Request): Promise<DoctorContext | null> {
  // Undefined only on public routes, where the guard does not run: no doctor there.
  return Promise.resolve(req.doctor ?? null);
}

/** Like resolveOptionalDoctor, for routes that always act for a doctor: 400 `doctor_id_required` without one. */
export async function resolveDoctor(req: Request): Promise<DoctorContext> {
  const doctor = await resolveOptionalDoctor(req);
  if (!doctor) {
    throw new ValidationError('This route acts on behalf of a doctor: send X-Doctor-Id (or X-Doctor-Token).', {
      code: 'doctor_id_required',
      details: [{ path: 'headers.x-doctor-id', message: 'required' }],
    });
  }
  return doctor;
}
