import type { IncomingHttpHeaders } from 'node:http';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import type { Config } from '../config.js';
import { DependencyError, UnauthenticatedError, ValidationError } from '../errors.js';

/** The doctor on whose behalf a main app calls. */
export interface DoctorContext {
  doctorId: string;
  purpose: string | null;
}

/** Reads the doctor headers of a request; null when none were sent. */
export type DoctorIdentifier = (headers: IncomingHttpHeaders) => Promise<DoctorContext | null>;

const DoctorIdSchema = z.uuid().toLowerCase();
const PurposeSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^\p{Cc}]*$/u, 'no control characters');
const ClaimsSchema = z.object({ sub: DoctorIdSchema, purpose: PurposeSchema.optional() });

// Only asymmetric algorithms come from a JWKS: accepting HS* there would let anyone who
// knows a public key sign tokens with it.
const JWKS_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const CLOCK_TOLERANCE_SECONDS = 30;

/**
 * Doctor identity from `X-Doctor-Token` (a JWT signed with AUTH_JWT_SECRET, HS256, or by
 * a key of AUTH_JWKS_URL; `sub` is the doctor id) or from `X-Doctor-Id` (+ optional
 * `X-Doctor-Purpose`). When a signing key is configured, a bare X-Doctor-Id is refused:
 * the id must come signed.
 */
export function createDoctorIdentifier(auth: Config['auth']): DoctorIdentifier {
  const secret = auth.jwtSecret ? new TextEncoder().encode(auth.jwtSecret) : undefined;
  const jwks = auth.jwksUrl
    ? createRemoteJWKSet(new URL(auth.jwksUrl), { timeoutDuration: 3_000, cooldownDuration: 30_000, cacheMaxAge: 600_000 })
    : undefined;
  const algorithms = [...(secret ? ['HS256'] : []), ...(jwks ? JWKS_ALGORITHMS : [])];
  // `algorithms` is checked before the key is chosen, so HS256 only reaches here with a secret.
  const key: JWTVerifyGetKey = async (header, token) => {
    if (header.alg === 'HS256') return secret!;
    try {
      return await jwks!(header, token);
    } catch (error) {
      // No key for the token's `kid` is the token's fault; anything else is the JWKS endpoint's.
      if (error instanceof joseErrors.JWKSNoMatchingKey || error instanceof joseErrors.JWKSMultipleMatchingKeys) throw error;
      throw new DependencyError('jwks', 'The doctor-token key set (JWKS) is unavailable.', { cause: error });
    }
  };

  async function verifyToken(token: string): Promise<z.output<typeof ClaimsSchema>> {
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms,
        issuer: auth.issuer,
        audience: auth.audience,
        requiredClaims: ['sub', 'exp'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      });
      const claims = ClaimsSchema.safeParse(payload);
      if (!claims.success) throw new UnauthenticatedError('The doctor token has no valid `sub` doctor id.', { code: 'invalid_doctor_token' });
      return claims.data;
    } catch (error) {
      throw mapTokenError(error);
    }
  }

  return async (headers) => {
    const token = singleHeader(headers, 'x-doctor-token');
    const headerId = singleHeader(headers, 'x-doctor-id');
    const headerPurpose = singleHeader(headers, 'x-doctor-purpose');
    const purpose = headerPurpose === undefined ? null : parseHeader(PurposeSchema, headerPurpose, 'x-doctor-purpose', 'invalid_doctor_purpose');

    if (token !== undefined) {
      if (algorithms.length === 0) {
        throw new UnauthenticatedError('Doctor tokens are not accepted: no signing key is configured.', { code: 'invalid_doctor_token' });
      }
      const claims = await verifyToken(token);
      if (headerId !== undefined && headerId.toLowerCase() !== claims.sub) {
        throw new UnauthenticatedError('X-Doctor-Id differs from the doctor of X-Doctor-Token.', { code: 'doctor_mismatch' });
      }
      return { doctorId: claims.sub, purpose: claims.purpose ?? purpose };
    }
    if (headerId === undefined) return null;
    if (algorithms.length > 0) {
      throw new UnauthenticatedError('A signed X-Doctor-Token is required; a bare X-Doctor-Id is not accepted.', {
        code: 'doctor_token_required',
      });
    }
    return { doctorId: parseHeader(DoctorIdSchema, headerId, 'x-doctor-id', 'invalid_doctor_id'), purpose };
  };
}

function singleHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  if (Array.isArray(value)) throw new ValidationError(`The ${name} header was sent more than once.`, { details: [{ path: `headers.${name}`, message: 'sent more than once' }] });
  return value;
}

function parseHeader<T>(schema: z.ZodType<T>, value: string, name: string, code: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ValidationError(`The ${name} header is invalid.`, {
    code,
    details: parsed.error.issues.map((issue) => ({ path: `headers.${name}`, message: issue.message })),
  });
}

/** Anything wrong with the token itself -> 401; an unreachable JWKS stays a 503 (retry later). */
function mapTokenError(error: unknown): Error {
  if (error instanceof UnauthenticatedError || error instanceof DependencyError) return error;
  const expired = error instanceof joseErrors.JWTExpired;
  return new UnauthenticatedError(expired ? 'The doctor token has expired.' : 'The doctor token is invalid.', {
    code: 'invalid_doctor_token',
    cause: error,
  });
}
