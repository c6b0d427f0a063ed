import type { AuthContext } from '../security/api-clients.service.js';
import type { DoctorContext } from './doctor-context.js';

// What the access guard leaves on every request to a non-public route.
declare global {
  namespace Express {
    interface Request {
      /** The authenticated calling app. */
      auth?: AuthContext;
      /** The doctor the request is made for; null when none was named. */
      doctor?: DoctorContext | null;
    }
  }
}
