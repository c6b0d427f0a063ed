import type { Request } from 'express';
import { ValidationError } from '../errors.js';
import type { DoctorContext } from '../security/doctor-identity.js';

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
