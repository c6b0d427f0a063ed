import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Express, type Request, type Response } from 'express';
import { ServiceNotReadyError } from '../../errors.js';
import type { AdminSessions } from '../../security/admin-sessions.js';
import { notFoundHandler } from '../error-handler.js';
import { sessionToken } from './console-session.js';

const SIGN_IN_PATH = '/admin/sign-in';

/**
 * Serves the admin console: a single page whose script speaks the public API with the
 * session cookie. Its pages need a session (without one, a redirect to sign-in); its
 * assets and the sign-in page do not.
 */
export function mountAdminConsole(app: Express, sessions: AdminSessions, consoleDir: string): void {
  const dir = path.resolve(consoleDir);
  const page = path.join(dir, 'index.html');
  const sendPage = (res: Response) => {
    if (!existsSync(page)) {
      throw new ServiceNotReadyError('The admin console is not built: run `npm run build` (npm start does it).', { code: 'console_not_built' });
    }
    // The page holds nothing secret, but must not be served stale after a sign-out.
    res.setHeader('Cache-Control', 'no-store');
    res.sendFile(page);
  };
  const signedIn = async (req: Request) => {
    const token = sessionToken(req);
    return token !== null && (await sessions.resume(token)) !== null;
  };

  // Revalidated on every load (ETag): the names carry no hash, so a new build must show at once.
  app.use('/admin/assets', express.static(path.join(dir, 'assets'), { index: false, maxAge: 0 }), notFoundHandler);
  app.get(SIGN_IN_PATH, async (req, res) => {
    if (await signedIn(req)) return res.redirect(303, '/admin');
    sendPage(res);
  });
  const consolePage = async (req: Request, res: Response) => {
    if (!(await signedIn(req))) return res.redirect(303, `${SIGN_IN_PATH}?next=${encodeURIComponent(req.originalUrl)}`);
    sendPage(res);
  };
  app.get('/admin', consolePage);
  app.get('/admin/{*page}', consolePage);
}
