import type { Request } from 'express';
import { ForbiddenError, UnauthenticatedError } from '../errors.js';
import type { ApiClientsService, AuthContext } from './api-clients.service.js';
import type { DoctorIdentifier } from './doctor-identity.js';
import type { RateLimits } from './rate-limits.js';

/** Who may call a route: anyone, or a client with that scope. */
export type RouteAccess = 'public' | 'chat' | 'search' | 'admin';

/** Checks the caller may use a route; throws UnauthenticatedError / ForbiddenError. */
export type AccessGuard = (req: Request, access: RouteAccess) => Promise<void>;

export interface AccessGuardDeps {
  clients: Pick<ApiClientsService, 'verify'>;
  identifyDoctor: DoctorIdentifier;
  rateLimits: RateLimits;
  /** For admin routes called without an API key: the admin console's session, or null without one. */
  consoleSession?: (req: Request) => Promise<AuthContext | null>;
}

// Routes that read data on a doctor's behalf, and so also spend the doctor's budget.
const DOCTOR_LIMITED: ReadonlySet<RouteAccess> = new Set(['chat', 'search']);

/**
 * The one gate of every non-public route, run before input validation: API key (401),
 * scope (403), the client's rate limit (429), then the doctor's identity (401 for a
 * bad or missing signature) and, for chat and search, the doctor's rate limit.
 * Leaves `req.auth` and `req.doctor` for the handlers.
 */
export function createAccessGuard(deps: AccessGuardDeps): AccessGuard {
  return async (req, access) => {
    if (access === 'public') return;
    const key = bearerToken(req);
    const auth = key ? await deps.clients.verify(key) : access === 'admin' ? await deps.consoleSession?.(req) : null;
    if (!key && !auth) throw new UnauthenticatedError('An API key is required: send `Authorization: Bearer <key>`.');
    if (!auth) throw new UnauthenticatedError('The API key is invalid or revoked.');
    if (!auth.scopes.includes(access)) throw new ForbiddenError(`This API key lacks the "${access}" scope.`);
    req.auth = auth;
    await deps.rateLimits.consumeClient(auth.clientId);

    const doctor = await deps.identifyDoctor(req.headers);
    req.doctor = doctor;
    if (doctor && DOCTOR_LIMITED.has(access)) await deps.rateLimits.consumeDoctor(doctor.doctorId);
  };
}

function bearerToken(req: Request): string | null {
  const match = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '');
  return match?.[1] ?? null;
}
