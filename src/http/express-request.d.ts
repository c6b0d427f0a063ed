import type { Logger } from '../logger.js';
import type { AuthContext } from '../security/api-clients.service.js';
import type { DoctorContext } from '../security/doctor-identity.js';

declare global {
  namespace Express {
    interface Request {
      /** The request's id (request-logging.ts): the caller's X-Request-Id when valid, else a new UUID. */
      id: string;
      /** A logger bound to the request's id and method (request-logging.ts). */
      log: Logger;
      // What the access guard leaves on every request to a non-public route.
      /** The authenticated calling app. */
      auth?: AuthContext;
      /** The doctor the request is made for; null when none was named. */
      doctor?: DoctorContext | null;
    }
  }
}
