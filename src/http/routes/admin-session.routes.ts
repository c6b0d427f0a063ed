import { z } from 'zod';
import { UnauthenticatedError } from '../../errors.js';
import type { AdminSession, AdminSessions } from '../../security/admin-sessions.js';
import { assertSameOrigin, clearSessionCookie, CSRF_HEADER, SESSION_COOKIE, sessionToken, setSessionCookie } from '../admin-console/console-session.js';
import type { ApiRouter } from '../route.js';

const SignInBodySchema = z
  .strictObject({ apiKey: z.string().min(1).max(200).describe('An API key with the admin scope; exchanged, never stored by the browser.') })
  .meta({ id: 'ConsoleSignIn' });

const ConsoleSessionSchema = z
  .object({
    client: z.object({ name: z.string(), scopes: z.array(z.string()) }),
    expiresAt: z.iso.datetime(),
    csrfToken: z.string().describe(`Send it back in the ${CSRF_HEADER} header of every console call that changes state.`),
  })
  .meta({ id: 'ConsoleSession' });

const COOKIE_NOTE = `The session is the HttpOnly, SameSite=Strict cookie \`${SESSION_COOKIE}\`.`;

function describe(session: AdminSession): z.infer<typeof ConsoleSessionSchema> {
  return {
    client: { name: session.client.clientName, scopes: session.client.scopes },
    expiresAt: session.expiresAt.toISOString(),
    csrfToken: session.csrfToken,
  };
}

/** Sign-in and sign-out of the admin console: an admin key for a short-lived session cookie. */
export function registerAdminSessionRoutes(api: ApiRouter, sessions: AdminSessions): void {
  api.add(
    {
      method: 'post',
      path: '/v1/admin/session',
      operationId: 'signInToConsole',
      summary: `Sign in to the admin console with an admin API key. ${COOKIE_NOTE}`,
      tags: ['admin console'],
      access: 'public',
      body: SignInBodySchema,
      responses: {
        200: { description: 'Signed in; the cookie is set.', schema: ConsoleSessionSchema },
        401: { description: 'The key is invalid or revoked.' },
        403: { description: 'The key lacks the admin scope, or the request comes from another origin.' },
      },
    },
    async ({ body, req, res }) => {
      assertSameOrigin(req);
      const session = await sessions.signIn(body.apiKey);
      setSessionCookie(req, res, session);
      return { headers: { 'Cache-Control': 'no-store' }, body: describe(session) };
    },
  );

  api.add(
    {
      method: 'get',
      path: '/v1/admin/session',
      operationId: 'getConsoleSession',
      summary: `The console session of the request's cookie, with its CSRF token. ${COOKIE_NOTE}`,
      tags: ['admin console'],
      access: 'public',
      responses: {
        200: { description: 'The session.', schema: ConsoleSessionSchema },
        401: { description: 'No session, or it has ended.' },
      },
    },
    async ({ req }) => {
      const token = sessionToken(req);
      const session = token ? await sessions.resume(token) : null;
      if (!session) throw new UnauthenticatedError('No console session; sign in.', { code: 'session_expired' });
      return { headers: { 'Cache-Control': 'no-store' }, body: describe(session) };
    },
  );

  api.add(
    {
      method: 'delete',
      path: '/v1/admin/session',
      operationId: 'signOutOfConsole',
      summary: `Sign out: ends the console session and clears its cookie (needs the ${CSRF_HEADER} header).`,
      tags: ['admin console'],
      access: 'admin',
      responses: { 204: { description: 'Signed out.' } },
    },
    async ({ req, res }) => {
      const token = sessionToken(req);
      if (token) await sessions.signOut(token);
      clearSessionCookie(req, res);
      return { status: 204 };
    },
  );
}
