import { parse as parseCookies } from 'cookie';
import type { Request, Response } from 'express';
import { ForbiddenError, UnauthenticatedError } from '../../errors.js';
import { csrfTokenMatches, type AdminSession, type AdminSessions } from '../../security/admin-sessions.js';
import type { AuthContext } from '../../security/api-clients.service.js';

export const SESSION_COOKIE = 'llm_admin_session';
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The console's session token from the request's cookies, if any. */
export function sessionToken(req: Request): string | null {
  const header = req.headers.cookie;
  return header ? (parseCookies(header)[SESSION_COOKIE] ?? null) : null;
}

/**
 * How an admin route called without an API key is authenticated: by the console's session
 * cookie. A state-changing call must also carry the session's CSRF token in a header (a
 * page of another site can make the browser send the cookie, never read the token), and
 * come from this origin when the browser says where it comes from. Null without a cookie.
 */
export function consoleSessionAuth(sessions: AdminSessions): (req: Request) => Promise<AuthContext | null> {
  return async (req) => {
    const token = sessionToken(req);
    if (!token) return null;
    const session = await sessions.resume(token);
    if (!session) throw new UnauthenticatedError('The console session has ended; sign in again.', { code: 'session_expired' });
    if (!SAFE_METHODS.has(req.method)) {
      assertSameOrigin(req);
      const presented = req.headers[CSRF_HEADER];
      if (!csrfTokenMatches(session, typeof presented === 'string' ? presented : undefined)) {
        throw new ForbiddenError(`A console call that changes state needs the session's ${CSRF_HEADER} header.`, { code: 'csrf_token_invalid' });
      }
    }
    return session.client;
  };
}

/** Refuses a request whose Origin header names another site (browsers send it on every POST). */
export function assertSameOrigin(req: Request): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  let host: string | null = null;
  try {
    host = new URL(origin).host;
  } catch {
    // "null" (a sandboxed frame, a file) or garbage: not this origin.
  }
  // req.host: the Host header, or X-Forwarded-Host from a trusted (loopback) proxy.
  if (host !== req.host) throw new ForbiddenError('Cross-origin console requests are refused.', { code: 'cross_origin' });
}

/** HttpOnly and SameSite=Strict: page scripts cannot read it and other sites cannot send it. */
export function setSessionCookie(req: Request, res: Response, session: AdminSession): void {
  res.cookie(SESSION_COOKIE, session.token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: req.secure,
    path: '/',
    expires: session.expiresAt,
  });
}

export function clearSessionCookie(req: Request, res: Response): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' });
}
